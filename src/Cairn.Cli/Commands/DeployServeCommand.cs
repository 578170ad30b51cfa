using System.CommandLine;
using Cairn.Deployments.Hosting;
using Cairn.Deployments.Management;
using Cairn.Models;
using Cairn.Serving;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn deploy serve NAME</c>: the endpoint's router on every protocol <c>cairn serve</c> speaks, following the endpoint in the store.</summary>
internal static class DeployServeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port", "-p") { Description = "Port (default: AIP_HTTP_PORT, SAGEMAKER_BIND_TO_PORT, else 8080; 0 picks a free one)." };
        var flavor = new Option<string?>("--flavor") { Description = "mlnet or onnx (default: mlnet when the package has it)." };
        var poll = new Option<double>("--poll-seconds") { Description = "How often the endpoint is read from the store (weights, canary steps).", DefaultValueFactory = _ => 1 };
        var log = new Option<string>("--inference-log") { Description = "Folder of the Parquet inference log, or 'none'.", DefaultValueFactory = _ => Path.Combine(TrackingUri.DefaultFolder, "inference-log") };
        var sample = new Option<double>("--log-sample-rate") { Description = "Share of requests logged (0 to 1).", DefaultValueFactory = _ => 1.0 };
        var access = new HostAccessOptions();
        var command = new Command("serve", "Serve an endpoint: route each request to a variant by its weights, drive its canary, copy traffic to its shadow.")
            { name, host, port, flavor, poll, log, sample };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var pollEvery = parse.GetValue(poll);
            if (!(pollEvery is >= 0.05 and <= 3600)) throw CairnException.InvalidParameter("--poll-seconds must be between 0.05 and 3600.");
            using var client = GlobalOptions.OpenClient(parse);
            var batching = new BatchingOptions();
            async Task<ServedModel> Load(string uri, string servedName, CancellationToken token)
            {
                var model = await client.LoadModelAsync(uri, parse.GetValue(flavor), token);
                return new ServedModel(servedName, model.Version?.Version ?? "1", model.Predictor, model.Flavor == ModelManifest.OnnxFlavor ? batching : null);
            }
            var logFolder = parse.GetValue(log)!;
            var inferenceLog = logFolder == "none" ? null : new InferenceLog(logFolder, parse.GetValue(sample));
            await using var endpoint = new EndpointHost(new EndpointManager(client, client.Endpoints), parse.GetValue(name)!, Load, inferenceLog,
                TimeSpan.FromSeconds(pollEvery), message => stderr.WriteLine($"cairn deploy serve: {message}"));
            await endpoint.StartAsync(ct);
            var options = new ModelServerOptions(endpoint.Router) { Address = parse.GetValue(host)!, Log = inferenceLog, AllowedHosts = access.AllowedHostsIn(parse), CorsOrigins = access.CorsOriginsIn(parse) }
                .FromEnvironment(parse.GetValue(port));
            var app = ModelServer.Build(options);
            app.MapEndpointStatus(endpoint);
            await Listening.StartAsync(app, options.Port, ct);
            var served = endpoint.Router.Endpoint!;
            stdout.WriteLine($"Serving endpoints:/{served.Name} revision {served.Revision} ({DeployCommands.Variants(served.Spec)}) on {ServeCommand.Address(app)}: "
                + $"/v2/models/{served.Name}/infer, /v1/models/{served.Name}:predict, /invocations, /score, {options.VertexPredictRoute}, /metrics, {EndpointStatusApi.Route}. Press Ctrl+C to stop.");
            var following = endpoint.RunAsync(app.Lifetime.ApplicationStopping);
            await app.WaitForShutdownAsync(ct);
            await following;
            return 0;
        });
        return command;
    }
}
