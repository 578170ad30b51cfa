using System.CommandLine;
using Cairn.Models;
using Cairn.Registry;
using Cairn.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>@<alias>, models:/<name>/<version> or runs:/<run_id>/<path>." };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port", "-p") { Description = "Port (default: AIP_HTTP_PORT, SAGEMAKER_BIND_TO_PORT, else 8080; 0 picks a free one)." };
        var flavor = new Option<string?>("--flavor") { Description = "mlnet or onnx (default: mlnet when the package has it)." };
        var name = new Option<string?>("--name") { Description = "The model's name on the protocol routes (default: its registered name)." };
        var command = new Command("serve", "Serve a model on the Open Inference Protocol v2, MLflow scoring, SageMaker, Vertex AI and Azure ML routes.") { uri, host, port, flavor, name };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var text = parse.GetValue(uri)!;
            var model = await client.LoadModelAsync(text, parse.GetValue(flavor), ct);
            var servedName = parse.GetValue(name) ?? model.Version?.Name ?? "model";
            var version = model.Version?.Version ?? (text.StartsWith(RunUri.Scheme, StringComparison.Ordinal) ? RunUri.Parse(text).RunId : "1");
            using var modelHost = new ModelHost(new ServedModel(servedName, version, model));
            var options = new ModelServerOptions(modelHost) { Address = parse.GetValue(host)! }.FromEnvironment(parse.GetValue(port));
            var app = ModelServer.Build(options);
            await app.StartAsync(ct);
            var address = app.Urls.FirstOrDefault() ?? BoundAddress(app);
            stdout.WriteLine($"Serving {servedName} version {version} ({model.Flavor}) on {address}: /v2/models/{servedName}/infer, /invocations, /score, {options.VertexPredictRoute}. Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    private static string BoundAddress(WebApplication app) =>
        app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is Microsoft.AspNetCore.Hosting.Server.IServer server
        && server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a
            ? a : "?";
}
