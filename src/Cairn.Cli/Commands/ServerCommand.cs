using System.CommandLine;
using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

internal static class ServerCommand
{
    public static Command Create(TextWriter stdout)
    {
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 5000 };
        var backend = new Option<string?>("--backend-store-uri") { Description = "Metadata store: sqlite:///path/cairn.db or a folder. Defaults to ./.cairn/cairn.db." };
        var artifacts = new Option<string?>("--artifacts-destination") { Description = "Folder for artifacts served through the artifact proxy. Defaults to artifacts/ beside the database." };
        var command = new Command("server", "Serve the MLflow-compatible tracking API and artifact proxy.") { host, port, backend, artifacts };
        command.SetAction(async (parse, ct) =>
        {
            var location = TrackingUri.Parse(parse.GetValue(backend)) as EmbeddedLocation
                ?? throw CairnException.InvalidParameter("--backend-store-uri must be a sqlite:/// URI or a folder; a server cannot use another server as its store.");
            var artifactRoot = parse.GetValue(artifacts) is { Length: > 0 } a ? Path.GetFullPath(a) : location.ArtifactRoot;
            var portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535) throw CairnException.InvalidParameter($"--port must be between 0 and 65535, got {portValue}.");
            var hostValue = parse.GetValue(host)!;
            if (hostValue != "localhost" && !System.Net.IPAddress.TryParse(hostValue, out _))
                throw CairnException.InvalidParameter($"--host must be an IP address such as 127.0.0.1, got '{hostValue}'.");
            using var stores = new SqliteStores(location.DatabasePath);
            var app = CairnServer.Build(new CairnServerOptions(stores.Tracking, new LocalArtifactStore(artifactRoot), stores.Registry) { Host = hostValue, Port = portValue });
            await app.StartAsync(ct);
            stdout.WriteLine($"Cairn server listening on {app.BoundAddress()} (metadata: {location.DatabasePath}, artifacts: {artifactRoot}). Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
