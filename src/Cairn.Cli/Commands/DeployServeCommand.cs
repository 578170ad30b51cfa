using System.CommandLine;
using Cairn.Serving;
using Cairn.Tracking;

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
            var logFolder = parse.GetValue(log)!;
            var settings = new EndpointServingSettings(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(flavor), TimeSpan.FromSeconds(pollEvery),
                logFolder == "none" ? null : new InferenceLog(logFolder, parse.GetValue(sample)), access.AllowedHostsIn(parse), access.CorsOriginsIn(parse),
                parse.GetValue(GlobalOptions.TrackingUri));
            await using var serving = await EndpointServing.StartAsync(client, parse.GetValue(name)!, settings, message => stderr.WriteLine($"cairn deploy serve: {message}"), ct);
            stdout.WriteLine($"Serving {serving.Describe()}. Press Ctrl+C to stop.");
            await serving.RunAsync(ct);
            return 0;
        });
        return command;
    }
}
