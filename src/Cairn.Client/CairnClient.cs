using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Deployments;
using Cairn.Features;
using Cairn.Monitoring;
using Cairn.Pipelines;
using Cairn.Registry;
using Cairn.Rest;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Cairn.Tracking;

namespace Cairn;

/// <summary>
/// The entry point of the SDK. The same calls work against the embedded store (a SQLite file and
/// a local artifact folder, the default) and against a Cairn or MLflow server, chosen by
/// <c>CAIRN_TRACKING_URI</c>.
/// </summary>
/// <example>
/// <code>
/// var cairn = CairnClient.FromEnvironment();
/// using var run = cairn.StartRun(experiment: "delay");
/// run.LogParam("learning_rate", 0.1);
/// run.LogMetric("auc", 0.91, step: 10);
/// </code>
/// </example>
public sealed class CairnClient : IDisposable
{
    private readonly IDisposable[] _owned;

    /// <summary>Experiments, runs, metrics, params and tags.</summary>
    public ITrackingStore Tracking { get; }
    /// <summary>Artifact files, addressed by store path (see <see cref="ActiveRun.ArtifactRoot"/>).</summary>
    public IArtifactStore Artifacts { get; }
    /// <summary>Registered models, their versions, aliases, stages and transition history.</summary>
    public IRegistryStore Registry { get; }
    /// <summary>Named dataset versions.</summary>
    public IDatasetStore Datasets { get; }

    /// <summary>Pipeline schedules, triggers and fires (set by <see cref="Open"/>; a client built from parts may have none).</summary>
    public IPipelineScheduleStore Schedules
    {
        get => _schedules ?? throw CairnException.InvalidState("This client was built without a pipeline schedule store.");
        init => _schedules = value;
    }

    private readonly IPipelineScheduleStore? _schedules;

    /// <summary>Monitors, their runs and alerts, and feedback labels (set by <see cref="Open"/>; a client built from parts may have none).</summary>
    public IMonitorStore Monitors
    {
        get => _monitors ?? throw CairnException.InvalidState("This client was built without a monitor store.");
        init => _monitors = value;
    }

    private readonly IMonitorStore? _monitors;

    /// <summary>Deployment endpoints and their history (set by <see cref="Open"/>; a client built from parts may have none).</summary>
    public IEndpointStore Endpoints
    {
        get => _endpoints ?? throw CairnException.InvalidState("This client was built without an endpoint store.");
        init => _endpoints = value;
    }

    private readonly IEndpointStore? _endpoints;

    /// <summary>Feature definitions and their versions (set by <see cref="Open"/>; a client built from parts may have none).</summary>
    public IFeatureDefinitionStore Features
    {
        get => _features ?? throw CairnException.InvalidState("This client was built without a feature definition store.");
        init => _features = value;
    }

    private readonly IFeatureDefinitionStore? _features;

    /// <summary>
    /// Online feature lookups and pushes: set for a client of a Cairn server (over REST). An embedded
    /// client has none, since the online store is configured where it is served; build a
    /// <c>LocalOnlineFeatureService</c> (Cairn.Features) over <see cref="Features"/> and an online store instead.
    /// </summary>
    public IOnlineFeatureService OnlineFeatures
    {
        get => _onlineFeatures ?? throw CairnException.InvalidState("This client has no online feature service: connect to a Cairn server, or build a LocalOnlineFeatureService over an online store.");
        init => _onlineFeatures = value;
    }

    private readonly IOnlineFeatureService? _onlineFeatures;

    /// <summary>MLflow 3's logged models (set by <see cref="Open"/>; a client built from parts may have none).</summary>
    public ILoggedModelStore LoggedModels
    {
        get => _loggedModels ?? throw CairnException.InvalidState("This client was built without a logged model store.");
        init => _loggedModels = value;
    }

    private readonly ILoggedModelStore? _loggedModels;
    /// <summary>Where the stores are: a server or an embedded SQLite file and artifact folder.</summary>
    public TrackingLocation Location { get; }
    /// <summary>The clock that stamps metrics and run end times (<see cref="TimeProvider.System"/> unless given).</summary>
    public TimeProvider Time { get; }

    /// <summary>A client over stores built elsewhere (tests, hosts); the optional stores (<see cref="Schedules"/> ...) are set with initializers.</summary>
    /// <param name="tracking">The tracking store.</param>
    /// <param name="artifacts">The artifact store.</param>
    /// <param name="registry">The model registry store.</param>
    /// <param name="datasets">The dataset store.</param>
    /// <param name="location">Where the stores are, as <see cref="Location"/> reports it.</param>
    /// <param name="time">The clock; null for the system clock.</param>
    /// <param name="owned">What <see cref="Dispose"/> disposes (a transport, a database).</param>
    public CairnClient(ITrackingStore tracking, IArtifactStore artifacts, IRegistryStore registry, IDatasetStore datasets, TrackingLocation location,
        TimeProvider? time = null, params IDisposable[] owned)
    {
        Tracking = tracking;
        Artifacts = artifacts;
        Registry = registry;
        Datasets = datasets;
        Location = location;
        Time = time ?? TimeProvider.System;
        _owned = owned;
    }

    /// <summary>Opens the store named by <c>CAIRN_TRACKING_URI</c>, or <c>./.cairn</c> when it is unset.</summary>
    public static CairnClient FromEnvironment() => Open(Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable));

    /// <summary>Opens a store by URI: <c>http(s)://host:port</c>, <c>sqlite:///path/cairn.db</c>, or a folder.</summary>
    /// <param name="trackingUri">Where the store is.</param>
    /// <param name="time">The clock; null for the system clock.</param>
    /// <param name="credentials">How to sign in to a server started with --auth; null: from the environment
    /// (<c>CAIRN_TRACKING_TOKEN</c>, <c>MLFLOW_TRACKING_TOKEN</c>, or <c>MLFLOW_TRACKING_USERNAME</c> and <c>PASSWORD</c>),
    /// else the token <c>cairn login</c> stored for this server.</param>
    /// <param name="tls">How an https server's certificate is checked; null: from the environment (<see cref="TlsTrust.FromEnvironment"/>).</param>
    /// <exception cref="CairnException">The CA bundle or the stored credentials cannot be used.</exception>
    public static CairnClient Open(string? trackingUri, TimeProvider? time = null, ServerCredentials? credentials = null, TlsTrust? tls = null)
    {
        var location = TrackingUri.Parse(trackingUri);
        switch (location)
        {
            case ServerLocation server:
            {
                var transport = new RestTransport(server.BaseUri, credentials: credentials ?? ServerCredentials.ForServer(server.BaseUri), tls: tls ?? TlsTrust.FromEnvironment());
                return new CairnClient(new RestTrackingStore(transport), new RestArtifactStore(transport), new RestRegistryStore(transport), new RestDatasetStore(transport), location, time, transport)
                    { Schedules = new RestPipelineScheduleStore(transport), Monitors = new RestMonitorStore(transport), Endpoints = new RestEndpointStore(transport), Features = new RestFeatureDefinitionStore(transport), OnlineFeatures = new RestOnlineFeatureService(transport), LoggedModels = new RestLoggedModelStore(transport) };
            }
            case EmbeddedLocation embedded:
            {
                var stores = new SqliteStores(embedded.DatabasePath, time);
                return new CairnClient(stores.Tracking, new LocalArtifactStore(embedded.ArtifactRoot), stores.Registry, stores.Datasets, location, time, stores)
                    { Schedules = stores.Schedules, Monitors = stores.Monitors, Endpoints = stores.Endpoints, Features = stores.Features, LoggedModels = stores.LoggedModels };
            }
            default:
                throw new NotSupportedException(location.ToString());
        }
    }

    /// <summary>A readable description of where runs are stored.</summary>
    public string Describe() => Location switch
    {
        ServerLocation s => $"server {s.BaseUri}",
        EmbeddedLocation e => $"{e.DatabasePath} (metadata), {e.ArtifactRoot} (artifacts)",
        _ => Location.ToString(),
    };

    /// <summary>
    /// Starts a run in <paramref name="experiment"/> (created if missing). Dispose it to end it:
    /// FINISHED normally, FAILED when an exception is unwinding through the <c>using</c>.
    /// With <paramref name="parentRunId"/> the run is nested under that run (MLflow's
    /// <c>mlflow.parentRunId</c> tag); <see cref="ActiveRun.StartChildRun"/> does the same from an open run.
    /// </summary>
    /// <exception cref="CairnException">Not found when <paramref name="parentRunId"/> names no run.</exception>
    public ActiveRun StartRun(string experiment = SqliteTrackingStore.DefaultExperimentName, string? runName = null,
        IReadOnlyDictionary<string, string>? tags = null, ActiveRunOptions? options = null, string? parentRunId = null) =>
        StartRunAsync(experiment, runName, tags, options, parentRunId).GetAwaiter().GetResult();

    /// <inheritdoc cref="StartRun"/>
    public async Task<ActiveRun> StartRunAsync(string experiment = SqliteTrackingStore.DefaultExperimentName, string? runName = null,
        IReadOnlyDictionary<string, string>? tags = null, ActiveRunOptions? options = null, string? parentRunId = null, CancellationToken ct = default)
    {
        if (parentRunId is not null)
            parentRunId = (await Tracking.GetRunAsync(parentRunId, ct).ConfigureAwait(false)).Info.RunId; // fail early on an unknown parent
        var experimentId = await Tracking.GetOrCreateExperimentAsync(experiment, ct).ConfigureAwait(false);
        return await CreateRunAsync(experimentId, runName, tags, options ?? new ActiveRunOptions(), parentRunId, ct).ConfigureAwait(false);
    }

    /// <summary>Creates a run in an experiment known by id, with the automatic tags, the caller's tags and the parent's id.</summary>
    internal async Task<ActiveRun> CreateRunAsync(string experimentId, string? runName, IReadOnlyDictionary<string, string>? tags,
        ActiveRunOptions options, string? parentRunId, CancellationToken ct)
    {
        var allTags = RunContext.Capture();
        foreach (var (key, value) in tags ?? new Dictionary<string, string>()) allTags[key] = value;
        if (parentRunId is not null) allTags[MlflowTags.ParentRunId] = parentRunId;
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId, Environment.UserName,
            Time.GetUtcNow().ToUnixTimeMilliseconds(), runName,
            allTags.Select(t => new RunTag(t.Key, t.Value)).ToList()), ct).ConfigureAwait(false);
        return new ActiveRun(this, run.Info, options) { ParentRunId = allTags.GetValueOrDefault(MlflowTags.ParentRunId) };
    }

    /// <summary>
    /// What a run has at an artifact path: the files and folders directly under it, or the file
    /// itself; paths relative to the run's artifact root.
    /// </summary>
    /// <exception cref="CairnException">Not found when the run has nothing at that path.</exception>
    public async Task<IReadOnlyList<ArtifactFile>> ListArtifactsAsync(RunUri uri, CancellationToken ct = default)
    {
        var run = await Tracking.GetRunAsync(uri.RunId, ct).ConfigureAwait(false);
        var root = ArtifactPath.FromUri(run.Info.ArtifactUri);
        var path = ArtifactPath.Combine(root, uri.ArtifactPath);
        var listed = await Artifacts.ListAsync(path, ct).ConfigureAwait(false);
        if (listed.Count == 0 && uri.ArtifactPath.Length > 0)
        {
            // Stores list a file, and a path that does not exist, as empty: the parent folder tells them apart.
            var parent = path[..path.LastIndexOf('/')];
            var file = (await Artifacts.ListAsync(parent, ct).ConfigureAwait(false)).FirstOrDefault(f => f.Path == path && !f.IsDir)
                ?? throw CairnException.NotFound($"{uri} does not exist: the run has no artifact '{uri.ArtifactPath}'.");
            listed = [file];
        }
        return listed.Select(f => f with { Path = f.Path[(root.Length + 1)..] }).ToList();
    }

    /// <summary>
    /// The logged models a run produced: those whose source run it is, and those it logged as
    /// outputs (MLflow's log-outputs), oldest first.
    /// </summary>
    public async Task<IReadOnlyList<LoggedModel>> ListRunModelsAsync(string runId, CancellationToken ct = default) =>
        await RunModels.ListAsync(await Tracking.GetRunAsync(runId, ct).ConfigureAwait(false), LoggedModels, ct).ConfigureAwait(false);

    /// <summary>Copies an artifact (a file, or a folder recursively) to <paramref name="destination"/>.</summary>
    public async Task<IReadOnlyList<string>> DownloadArtifactsAsync(RunUri uri, string destination, CancellationToken ct = default)
    {
        var run = await Tracking.GetRunAsync(uri.RunId, ct).ConfigureAwait(false);
        var root = ArtifactPath.FromUri(run.Info.ArtifactUri);
        var source = ArtifactPath.Combine(root, uri.ArtifactPath);
        var written = new List<string>();
        var children = await Artifacts.ListAsync(source, ct).ConfigureAwait(false);
        if (children.Count == 0)
        {
            if (uri.ArtifactPath.Length == 0) return written; // a run with no artifacts
            var target = Directory.Exists(destination) ? Path.Combine(destination, Path.GetFileName(source)) : destination;
            await CopyFile(source, target, ct).ConfigureAwait(false);
            written.Add(target);
            return written;
        }
        await CopyFolder(source, destination, written, ct).ConfigureAwait(false);
        return written;
    }

    private async Task CopyFolder(string source, string destination, List<string> written, CancellationToken ct)
    {
        Directory.CreateDirectory(destination);
        foreach (var child in await Artifacts.ListAsync(source, ct).ConfigureAwait(false))
        {
            var target = Path.Combine(destination, child.Path[(child.Path.LastIndexOf('/') + 1)..]);
            if (child.IsDir) await CopyFolder(child.Path, target, written, ct).ConfigureAwait(false);
            else
            {
                await CopyFile(child.Path, target, ct).ConfigureAwait(false);
                written.Add(target);
            }
        }
    }

    private async Task CopyFile(string source, string target, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(target));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        await using var input = await Artifacts.OpenReadAsync(source, ct).ConfigureAwait(false);
        var temp = target + ".part";
        await using (var output = File.Create(temp)) await input.CopyToAsync(output, ct).ConfigureAwait(false);
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>Disposes what the client owns (the server transport or the embedded database); open runs are not ended.</summary>
    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
    }
}
