using System.CommandLine;
using Cairn.Monitoring;
using Cairn.Pipelines;
using Cairn.Registry;
using Cairn.Server;
using Cairn.Tracking;
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
        var client = new CairnClient(metadata.Tracking, artifacts, metadata.Registry, metadata.Datasets, new ServerLocation(address)) { Schedules = metadata.Schedules, Features = metadata.Features };
        void Log(string message) { lock (log) log.WriteLine(Secrets.Redact(message)); }
        var pushLog = OnlineFeatureWiring.PushLog(metadata.DefaultArtifactFolder is { } folder ? Path.GetDirectoryName(folder) : null);
        var runner = new MonitorRunner(client, metadata.Monitors, new MonitorRunnerOptions { Log = Log, FeaturePushLog = pushLog }, TimeProvider.System);
        return new MonitorScheduler(metadata.Monitors, runner, TimeProvider.System, new MonitorSchedulerOptions { PollInterval = interval, Log = Log }).RunAsync(stopping);
    };

    /// <summary>
    /// Endpoints this server serves, each on its own port (their protocol routes, such as
    /// /invocations, are per endpoint), on the server's own stores; replica processes reach the
    /// store through this server.
    /// </summary>
    private static ServerWork EndpointHosting(MetadataStores metadata, Cairn.Artifacts.IArtifactStore artifacts, string address, IReadOnlyList<(string Name, int Port)> endpoints,
        string inferenceLog, TextWriter log) => async (serverAddress, stopping) =>
    {
        using var client = new CairnClient(metadata.Tracking, artifacts, metadata.Registry, metadata.Datasets, new ServerLocation(serverAddress))
            { Schedules = metadata.Schedules, Monitors = metadata.Monitors, Endpoints = metadata.Endpoints };
        void Log(string message) { lock (log) log.WriteLine(Secrets.Redact(message)); }
        var serving = new List<EndpointServing>();
        try
        {
            var inference = inferenceLog == "none" ? null : new Cairn.Serving.InferenceLog(inferenceLog);
            foreach (var (name, port) in endpoints)
            {
                var started = await EndpointServing.StartAsync(client, name, new EndpointServingSettings(address, port, null, TimeSpan.FromSeconds(1), inference, [], [], serverAddress.ToString()),
                    message => Log($"cairn server: {message}"), stopping);
                serving.Add(started);
                Log($"cairn server: serving {started.Describe()}");
            }
            await Task.WhenAll(serving.Select(s => s.RunAsync(stopping)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log($"cairn server: endpoints not served: {e.GetBaseException().Message}");
        }
        finally
        {
            foreach (var s in serving) await s.DisposeAsync();
        }
    };

    /// <summary>"delay-api=8081" → (delay-api, 8081).</summary>
    private static (string Name, int Port) EndpointOption(string text)
    {
        var eq = text.LastIndexOf('=');
        if (eq <= 0 || !int.TryParse(text[(eq + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw CairnException.InvalidParameter($"Invalid --endpoint '{text}': write NAME=PORT, such as delay-api=8081.");
        return (Cairn.Deployments.EndpointSpecRules.Name(text[..eq]), port);
    }

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
        var endpoints = new Option<string[]>("--endpoint") { Description = "Serve this endpoint too, on its own port: NAME=PORT (repeatable)." };
        var inferenceLog = new Option<string>("--inference-log") { Description = "Folder of the inference log: written by the endpoints served here, read by the endpoint pages.", DefaultValueFactory = _ => Path.Combine(TrackingUri.DefaultFolder, "inference-log") };
        var onlineStore = new Option<string?>("--online-store") { Description = "Online feature store: redis://host:port[/db] or a SQLite file (default: $CAIRN_ONLINE_STORE, else features/online.db beside an embedded store, or in ./.cairn)." };
        var featureFunctions = FeatureFunctionsOption.Create();
        var auth = new Option<bool>("--auth") { Description = "Require sign-in on every request (HTTP basic or a bearer API token); users from `cairn users create`." };
        var adminUser = new Option<string?>("--admin-user") { Description = "With --auth and no users yet: create this admin first, with the password in $CAIRN_ADMIN_PASSWORD." };
        var defaultPermission = new Option<string>("--default-permission") { Description = "With --auth: what users may do with experiments, registered models and the server's shared resources (datasets, features, monitors, schedules, endpoints) that nobody gave them a permission on: READ (MLflow's default), EDIT, MANAGE or NO_PERMISSIONS.", DefaultValueFactory = _ => "READ" };
        var sessionKeys = new Option<string?>("--session-keys") { Description = "With --auth: folder of the keys that protect web UI sessions and forms (default: session-keys/ beside an embedded store, else in ./.cairn). Servers behind one address need the same folder." };
        var protectedAliases = new Option<string?>("--protected-aliases") { Description = "With --auth: the aliases that move only on a request approved by another user (four eyes), comma-separated; \"none\" protects none. Default: champion,production." };
        var allowAnonymous = new Option<bool>("--allow-anonymous") { Description = "Serve without --auth on an address other than loopback: anyone who reaches it may read, change and delete everything." };
        var oidc = new OidcOption();
        var noScheduler = new Option<bool>("--no-scheduler") { Description = "Do not run pipeline schedules, triggers and scheduled monitors in this server (another server on the same database does)." };
        var access = new HostAccessOptions();
        var tls = new ServerTlsOptions();
        var command = new Command("server", "Serve the MLflow-compatible tracking and registry API and the artifact proxy; run pipeline schedules, triggers and scheduled monitors.")
            { host, port, backend, artifacts, scheduleInterval, pipelinesRoot, noScheduler, endpoints, inferenceLog, onlineStore, featureFunctions, auth, adminUser, defaultPermission, sessionKeys, protectedAliases, allowAnonymous };
        access.AddTo(command);
        oidc.AddTo(command);
        tls.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535) throw CairnException.InvalidParameter($"--port must be between 0 and 65535, got {portValue}.");
            var hostValue = parse.GetValue(host)!;
            if (hostValue != "localhost" && !System.Net.IPAddress.TryParse(hostValue, out _))
                throw CairnException.InvalidParameter($"--host must be an IP address such as 127.0.0.1, got '{hostValue}'.");
            if (!parse.GetValue(auth) && !parse.GetValue(allowAnonymous) && !IsLoopback(hostValue))
                throw CairnException.InvalidParameter($"--host {hostValue} is reachable from other machines: add --auth (sign-in required), or --allow-anonymous to let anyone who reaches it read, change and delete everything.");
            if (parse.GetValue(adminUser) is not null && !parse.GetValue(auth)) throw CairnException.InvalidParameter("--admin-user needs --auth.");
            if (parse.GetValue(protectedAliases) is not null && !parse.GetValue(auth)) throw CairnException.InvalidParameter("--protected-aliases needs --auth: without sign-in there is no second person to tell apart.");
            var protectedList = parse.GetValue(protectedAliases) is { } list ? FourEyes.ParseAliases(list) : FourEyes.DefaultProtectedAliases;
            var fallbackPermission = Cairn.Security.Permissions.Parse(parse.GetValue(defaultPermission));
            var oidcOptions = oidc.OptionsIn(parse);
            if (oidcOptions is not null && !parse.GetValue(auth)) throw CairnException.InvalidParameter("--oidc-issuer needs --auth.");
            var allowedHosts = access.AllowedHostsIn(parse);
            var corsOrigins = access.CorsOriginsIn(parse);
            var certificate = tls.In(parse);
            var interval = parse.GetValue(scheduleInterval);
            if (!(interval is >= 0.1 and <= 3600)) throw CairnException.InvalidParameter($"--schedule-interval must be between 0.1 and 3600 seconds, got {interval}.");
            var allowedRoots = AllowedRoots(parse.GetValue(pipelinesRoot));
            var served = (parse.GetValue(endpoints) ?? []).Select(EndpointOption).ToList();
            if (served.GroupBy(e => e.Port).FirstOrDefault(g => g.Count() > 1 || g.Key == portValue) is { } clash)
                throw CairnException.InvalidParameter($"Port {clash.Key} is given twice: the server and each endpoint need a port of their own.");
            var functions = FeatureFunctionsOption.Load(parse, featureFunctions, Environment.CurrentDirectory);
            using var metadata = await StoreWiring.OpenMetadataAsync(parse.GetValue(backend), ct);
            if (parse.GetValue(sessionKeys) is not null && !parse.GetValue(auth)) throw CairnException.InvalidParameter("--session-keys needs --auth.");
            var authentication = parse.GetValue(auth)
                ? (await AuthenticationAsync(metadata, parse.GetValue(adminUser), oidcOptions, stdout, ct)) with
                {
                    DefaultPermission = fallbackPermission,
                    SessionKeyFolder = Path.GetFullPath(parse.GetValue(sessionKeys) ?? Path.Combine(
                        metadata.DefaultArtifactFolder is { } embedded ? Path.GetDirectoryName(embedded)! : TrackingUri.DefaultFolder, "session-keys")),
                }
                : null;
            var artifactStore = StoreWiring.OpenArtifacts(parse.GetValue(artifacts), metadata);
            var features = OnlineFeatureWiring.FeaturesFolder(metadata.DefaultArtifactFolder is { } folder ? Path.GetDirectoryName(folder) : null);
            var online = await OnlineFeatureWiring.OpenServiceAsync(metadata.Features, parse.GetValue(onlineStore), features, ct, functions);
            try
            {
                // Definitions may change while the server runs, so a missing function is reported here and refused at each lookup that needs it.
                functions.EnsureAll(await metadata.Features.GetRepositoryAsync(ct));
            }
            catch (CairnException e)
            {
                stderr.WriteLine($"cairn server: warning: {e.Message}");
            }
            await using var onlineStoreOpened = online.Store;
            var app = CairnServer.Build(new CairnServerOptions(metadata.Tracking, artifactStore, metadata.Registry, metadata.Datasets)
            {
                Host = hostValue,
                Port = portValue,
                AllowedHosts = allowedHosts,
                CorsOrigins = corsOrigins,
                Tls = certificate,
                Schedules = metadata.Schedules,
                Monitors = metadata.Monitors,
                Endpoints = metadata.Endpoints,
                Features = metadata.Features,
                OnlineFeatures = online,
                OnlineStore = online.Store,
                FeatureFreshness = new Cairn.Features.FeatureFreshnessMetrics(metadata.Features, online.Store),
                LoggedModels = metadata.LoggedModels,
                InferenceLog = parse.GetValue(inferenceLog) is "none" ? null : parse.GetValue(inferenceLog),
                Authentication = authentication,
                ProtectedAliases = protectedList,
                Audit = metadata.Audit, // always: without --auth its entries say anonymous, with the caller's address
                BackgroundWork =
                [
                    .. parse.GetValue(noScheduler) ? (ServerWork[])[] :
                    [
                        Scheduler(metadata, artifactStore, Roots(allowedRoots, artifactStore), TimeSpan.FromSeconds(interval), stderr),
                        MonitorScheduling(metadata, artifactStore, TimeSpan.FromSeconds(interval), stderr),
                    ],
                    .. served.Count == 0 ? (ServerWork[])[] : [EndpointHosting(metadata, artifactStore, hostValue, served, parse.GetValue(inferenceLog)!, stderr)],
                ],
            });
            await Listening.StartAsync(app, portValue, ct);
            stdout.WriteLine($"Cairn server listening on {app.BoundAddress()}{(authentication is null ? "" : " with sign-in required")} (metadata: {Secrets.Redact(metadata.Database.Description)}, artifacts: {Secrets.Redact(StoreWiring.Describe(artifactStore))}). Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            (artifactStore as IDisposable)?.Dispose();
            return 0;
        });
        return command;
    }

    private static bool IsLoopback(string host) => host == "localhost" || System.Net.IPAddress.Parse(host) is var address && System.Net.IPAddress.IsLoopback(address);

    /// <summary>
    /// Sign-in over the server's own database; with no users yet, the first admin from --admin-user and
    /// $CAIRN_ADMIN_PASSWORD, unless single sign-on lets the provider's users in.
    /// </summary>
    private static async Task<Cairn.Server.Security.ServerAuthentication> AuthenticationAsync(MetadataStores metadata, string? adminUser, Cairn.Security.OidcOptions? oidc,
        TextWriter stdout, CancellationToken ct)
    {
        var accounts = new Cairn.Security.AccountService(metadata.Identity);
        var sso = oidc is null ? null : new Cairn.Security.JwtAuthenticator(oidc, accounts);
        var users = await metadata.Identity.ListUsersAsync(ct);
        if (users.Count == 0 && (sso is null || adminUser is not null))
        {
            if (adminUser is null)
                throw CairnException.InvalidParameter("--auth with no users: nobody could sign in. Create an admin first (cairn users create NAME --admin), or give --admin-user NAME with the password in $CAIRN_ADMIN_PASSWORD.");
            var password = Environment.GetEnvironmentVariable("CAIRN_ADMIN_PASSWORD")
                ?? throw CairnException.InvalidParameter("--admin-user needs the admin's password in $CAIRN_ADMIN_PASSWORD (never on the command line).");
            await accounts.CreateUserAsync(adminUser, password, isAdmin: true, ct);
            stdout.WriteLine($"Created the first admin, {adminUser}.");
        }
        return new Cairn.Server.Security.ServerAuthentication(accounts, metadata.Identity) { Oidc = sso };
    }
}
