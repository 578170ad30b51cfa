using System.CommandLine;
using Cairn.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

internal static class ServerCommand
{
    public static Command Create(TextWriter stdout)
    {
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 5000 };
        var backend = new Option<string?>("--backend-store-uri") { Description = "Metadata store: postgresql://user:pw@host:5432/db, sqlite:///path/cairn.db or a folder. Defaults to ./.cairn." };
        var artifacts = new Option<string?>("--artifacts-destination") { Description = "Artifacts served through the proxy: s3://bucket/prefix or a folder. Defaults to artifacts/ beside a SQLite database." };
        var access = new HostAccessOptions();
        var command = new Command("server", "Serve the MLflow-compatible tracking and registry API and the artifact proxy.") { host, port, backend, artifacts };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535) throw CairnException.InvalidParameter($"--port must be between 0 and 65535, got {portValue}.");
            var hostValue = parse.GetValue(host)!;
            if (hostValue != "localhost" && !System.Net.IPAddress.TryParse(hostValue, out _))
                throw CairnException.InvalidParameter($"--host must be an IP address such as 127.0.0.1, got '{hostValue}'.");
            var allowedHosts = access.AllowedHostsIn(parse);
            var corsOrigins = access.CorsOriginsIn(parse);
            using var metadata = await StoreWiring.OpenMetadataAsync(parse.GetValue(backend), ct);
            var artifactStore = StoreWiring.OpenArtifacts(parse.GetValue(artifacts), metadata);
            var app = CairnServer.Build(new CairnServerOptions(metadata.Tracking, artifactStore, metadata.Registry, metadata.Datasets)
            {
                Host = hostValue,
                Port = portValue,
                AllowedHosts = allowedHosts,
                CorsOrigins = corsOrigins,
            });
            await Listening.StartAsync(app, portValue, ct);
            stdout.WriteLine($"Cairn server listening on {app.BoundAddress()} (metadata: {metadata.Database.Description}, artifacts: {StoreWiring.Describe(artifactStore)}). Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            (artifactStore as IDisposable)?.Dispose();
            return 0;
        });
        return command;
    }
}
