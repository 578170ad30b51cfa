using System.CommandLine;
using Cairn.Monitoring;
using Cairn.Pipelines;
using Cairn.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

internal static class ServerCommand
{
    /// <summary>The pipeline scheduler: pipelines run in this process on the server's own stores; their step processes talk to this server.</summary>
    private static ServerWork Scheduler(MetadataStores metadata, Cairn.Artifacts.IArtifactStore artifacts, PipelineFileRoots roots, TimeSpan interval, TextWriter log) => (address, stopping) =>
    {
        var client = new CairnClient(metadata.Tracking, artifacts, metadata.Registry, metadata.Datasets, new ServerLocation(address)) { Schedules = metadata.Schedules };
        var launcher = InProcessPipelineLauncher.Create(PipelineWiring.Engine(client, address.ToString()), roots);
        var options = new PipelineSchedulerOptions { PollInterval = interval, Log = message => { lock (log) log.WriteLine(message); } };
        return new PipelineScheduler(metadata.Schedules, metadata.Datasets, launcher, TimeProvider.System, options).RunAsync(stopping);
    };

    /// <summary>The monitor scheduler: scheduled monitors run in this process, on the server's own stores, at the lowest CPU priority.</summary>
    private static ServerWork MonitorScheduling(MetadataStores metadata, Cairn.Artifacts.IArtifactStore artifacts, TimeSpan interval, TextWriter log) => (address, stopping) =>
    {
        var client = new CairnClient(metadata.Tracking, artifacts, metadata.Registry, metadata.Datasets, new ServerLocation(address)) { Schedules = metadata.Schedules };
        void Log(string message) { lock (log) log.WriteLine(message); }
        var runner = new MonitorRunner(client, metadata.Monitors, new MonitorRunnerOptions { Log = Log }, TimeProvider.System);
        return new MonitorScheduler(metadata.Monitors, runner, TimeProvider.System, new MonitorSchedulerOptions { PollInterval = interval, Log = Log }).RunAsync(stopping);
    };

    private static List<string> AllowedRoots(string[]? given)
    {
        var allowed = given is { Length: > 0 } ? given.Select(Path.GetFullPath).ToList() : [Environment.CurrentDirectory];
        foreach (var root in allowed.Where(r => !Directory.Exists(r)))
            throw CairnException.InvalidParameter($"--pipelines-root {root} is not a folder.");
        return allowed;
    }

    private static PipelineFileRoots Roots(List<string> allowed, Cairn.Artifacts.IArtifactStore artifacts) =>
        new(allowed, artifacts is Cairn.Storage.Local.LocalArtifactStore local ? [local.Root] : []);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 5000 };
        var backend = new Option<string?>("--backend-store-uri") { Description = "Metadata store: postgresql://user:pw@host:5432/db, sqlite:///path/cairn.db or a folder. Defaults to ./.cairn." };
        var artifacts = new Option<string?>("--artifacts-destination") { Description = "Artifacts served through the proxy: s3://bucket/prefix or a folder. Defaults to artifacts/ beside a SQLite database." };
        var scheduleInterval = new Option<double>("--schedule-interval") { Description = "Seconds between the schedulers' looks for due schedules, monitors, new dataset versions and queued alerts.", DefaultValueFactory = _ => 15 };
        var pipelinesRoot = new Option<string[]>("--pipelines-root") { Description = "A folder scheduled pipeline files may be in (repeatable); default: the current folder. Files in the local artifact folder never run." };
        var noScheduler = new Option<bool>("--no-scheduler") { Description = "Do not run pipeline schedules, triggers and scheduled monitors in this server (another server on the same database does)." };
        var access = new HostAccessOptions();
        var command = new Command("server", "Serve the MLflow-compatible tracking and registry API and the artifact proxy; run pipeline schedules, triggers and scheduled monitors.")
            { host, port, backend, artifacts, scheduleInterval, pipelinesRoot, noScheduler };
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
            var interval = parse.GetValue(scheduleInterval);
            if (!(interval is >= 0.1 and <= 3600)) throw CairnException.InvalidParameter($"--schedule-interval must be between 0.1 and 3600 seconds, got {interval}.");
            var allowedRoots = AllowedRoots(parse.GetValue(pipelinesRoot));
            using var metadata = await StoreWiring.OpenMetadataAsync(parse.GetValue(backend), ct);
            var artifactStore = StoreWiring.OpenArtifacts(parse.GetValue(artifacts), metadata);
            var app = CairnServer.Build(new CairnServerOptions(metadata.Tracking, artifactStore, metadata.Registry, metadata.Datasets)
            {
                Host = hostValue,
                Port = portValue,
                AllowedHosts = allowedHosts,
                CorsOrigins = corsOrigins,
                Schedules = metadata.Schedules,
                Monitors = metadata.Monitors,
                Endpoints = metadata.Endpoints,
                BackgroundWork = parse.GetValue(noScheduler) ? [] :
                [
                    Scheduler(metadata, artifactStore, Roots(allowedRoots, artifactStore), TimeSpan.FromSeconds(interval), stderr),
                    MonitorScheduling(metadata, artifactStore, TimeSpan.FromSeconds(interval), stderr),
                ],
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
