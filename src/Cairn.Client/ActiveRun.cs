using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Tracking;

namespace Cairn;

/// <summary>How an <see cref="ActiveRun"/> buffers metrics before sending them to the tracking store.</summary>
public sealed record ActiveRunOptions
{
    /// <summary>A background flush starts when this many metrics are buffered.</summary>
    public int FlushAtMetrics { get; init; } = TrackingLimits.MaxMetricsPerBatch;
    /// <summary>Buffered metrics are sent at least this often.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Above this many unsent metrics, LogMetric waits for the store instead of growing memory.</summary>
    public int MaxPendingMetrics { get; init; } = 200_000;
}

/// <summary>
/// A run in progress. Params and tags are written at once (so a conflicting param fails where it
/// is logged); metrics are buffered and sent in batches by a background flusher, then drained on
/// <see cref="End"/>, on Dispose, and on a clean process exit, so nothing logged is lost.
/// </summary>
public sealed class ActiveRun : IDisposable, IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ActiveRun, byte> OpenRuns = new();
    private static int _exitHooksInstalled;

    private readonly CairnClient _client;
    private readonly ActiveRunOptions _options;
    private readonly object _bufferLock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private readonly SemaphoreSlim _flushSignal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _validKeys = new(StringComparer.Ordinal);
    private readonly Task _flusher;
    private List<Metric> _buffer = new(1024);
    private int _ended;
    private readonly List<ActiveRun> _openChildren = [];
    private ActiveRun? _parent;

    /// <summary>The run as the store last returned it: at start, then again after <see cref="End"/> (status and end time).</summary>
    public RunInfo Info { get; private set; }
    /// <summary>The run's id in the tracking store.</summary>
    public string RunId => Info.RunId;
    /// <summary>The id of the experiment the run belongs to.</summary>
    public string ExperimentId => Info.ExperimentId;

    /// <summary>The client the run logs through (its stores), for calls beyond the run such as registering a model.</summary>
    public CairnClient Client => _client;

    /// <summary>The run this one is nested under (its <c>mlflow.parentRunId</c> tag), or null for a top-level run.</summary>
    public string? ParentRunId { get; internal init; }

    internal ActiveRun(CairnClient client, RunInfo info, ActiveRunOptions options)
    {
        _client = client;
        _options = options;
        Info = info;
        InstallExitHooks();
        OpenRuns[this] = 0;
        _flusher = Task.Run(FlushLoopAsync);
    }

    /// <summary>
    /// Starts a run nested under this one, in the same experiment, tagged <c>mlflow.parentRunId</c>
    /// as MLflow does (a fold of a cross-validation, a trial of a sweep). Ending or disposing this run
    /// first ends the children still open, with this run's status (FAILED when an exception unwinds).
    /// </summary>
    public ActiveRun StartChildRun(string runName, IReadOnlyDictionary<string, string>? tags = null) =>
        StartChildRunAsync(runName, tags).GetAwaiter().GetResult();

    /// <inheritdoc cref="StartChildRun"/>
    public async Task<ActiveRun> StartChildRunAsync(string runName, IReadOnlyDictionary<string, string>? tags = null, CancellationToken ct = default)
    {
        ThrowIfEnded();
        var child = await _client.CreateRunAsync(ExperimentId, runName, tags, _options, RunId, ct).ConfigureAwait(false);
        child._parent = this;
        bool parentEnded;
        lock (_openChildren)
        {
            parentEnded = Volatile.Read(ref _ended) == 1;
            if (!parentEnded) _openChildren.Add(child);
        }
        if (parentEnded)
        {
            // This run ended while the child was being created: a child must not outlive its parent.
            await child.EndAsync(RunStatus.Killed).ConfigureAwait(false);
            ThrowIfEnded();
        }
        return child;
    }

    /// <summary>
    /// Buffers a metric value stamped with the client's clock; it is sent in the background and
    /// waits for the store only when <see cref="ActiveRunOptions.MaxPendingMetrics"/> are pending.
    /// </summary>
    /// <exception cref="CairnException">The key is not a valid metric key, or the run has ended.</exception>
    public void LogMetric(string key, double value, long step = 0)
    {
        ValidateKeyOnce(key);
        var metric = new Metric(key, value, _client.Time.GetUtcNow().ToUnixTimeMilliseconds(), step);
        int count;
        lock (_bufferLock)
        {
            ThrowIfEnded();
            _buffer.Add(metric);
            count = _buffer.Count;
        }
        if (count == _options.FlushAtMetrics) _flushSignal.Release();
        else if (count >= _options.MaxPendingMetrics) Flush(); // back-pressure: never unbounded memory
    }

    /// <summary>Buffers several metrics at the same <paramref name="step"/>, as <see cref="LogMetric"/> does.</summary>
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step = 0)
    {
        foreach (var (key, value) in metrics) LogMetric(key, value, step);
    }

    /// <summary>Writes a param at once, formatted invariantly (null as <c>None</c>, booleans as <c>True</c>/<c>False</c>, as MLflow writes them).</summary>
    /// <exception cref="CairnException">The run has ended, or the store refuses the param (such as a different value already logged for the key).</exception>
    public void LogParam(string key, object? value) => LogParams(new Dictionary<string, object?> { [key] = value });

    /// <summary>Writes several params at once, in as many batches as the store's per-batch limit needs.</summary>
    /// <exception cref="CairnException">The run has ended, or the store refuses a param.</exception>
    public void LogParams(IReadOnlyDictionary<string, object?> values)
    {
        ThrowIfEnded();
        var @params = values.Select(kv => new Param(kv.Key, Format(kv.Value))).ToList();
        foreach (var chunk in @params.Chunk(TrackingLimits.MaxParamsPerBatch))
            Wait(_client.Tracking.LogBatchAsync(RunId, new LogBatch(Params: chunk)));
    }

    /// <summary>Sets (or overwrites) a run tag at once, its value formatted as <see cref="LogParam"/> formats one.</summary>
    /// <exception cref="CairnException">The run has ended, or the store refuses the tag.</exception>
    public void SetTag(string key, object? value)
    {
        ThrowIfEnded();
        Wait(_client.Tracking.SetTagAsync(RunId, new RunTag(key, Format(value))));
    }

    /// <summary>
    /// Records a named dataset version (<c>data:/flights@3</c>, <c>data:/flights@blake3:...</c> or
    /// <c>data:/flights</c> for the latest) as an input of this run, so that the lineage of a model
    /// trained here reaches the exact data. A path of data tracked with <c>cairn data add</c>
    /// (<c>data/flights.csv</c>, or its pointer <c>data/flights.csv.cairn</c>) works too: its digest is
    /// tagged as a version of <c>flights</c> in this run's store when that store lacks it.
    /// </summary>
    public DatasetVersion LogInput(string dataUri, string context = "training") =>
        LogInputAsync(dataUri, context).GetAwaiter().GetResult();

    /// <inheritdoc cref="LogInput(string, string)"/>
    public Task<DatasetVersion> LogInputAsync(string dataUri, string context = "training", CancellationToken ct = default)
    {
        ThrowIfEnded();
        return DatasetInputs.LogAsync(_client, RunId, dataUri, context, ct);
    }

    /// <summary>The MLflow dataset source type of inputs that are Cairn dataset versions.</summary>
    public const string DatasetSourceType = "cairn";

    /// <summary>
    /// Records a dataset the run consumed (MLflow's <c>log-inputs</c>): its name, a digest of its
    /// content, where it is, and how the run used it (<paramref name="context"/>: training, validation...).
    /// </summary>
    public void LogInput(string name, string digest, string source, string sourceType = "local", string context = "training", string? schema = null)
    {
        ThrowIfEnded();
        Wait(_client.Tracking.LogInputsAsync(RunId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, context)], new Dataset(name, digest, sourceType, source, schema))]));
    }

    /// <summary>Uploads a file to the run's artifacts, under <paramref name="artifactPath"/> if given.</summary>
    public void LogArtifact(string localPath, string? artifactPath = null) => Wait(LogArtifactAsync(localPath, artifactPath));

    /// <inheritdoc cref="LogArtifact"/>
    /// <exception cref="CairnException"><paramref name="localPath"/> is a folder or does not exist.</exception>
    public async Task LogArtifactAsync(string localPath, string? artifactPath = null, CancellationToken ct = default)
    {
        if (!File.Exists(localPath))
            throw CairnException.InvalidParameter(Directory.Exists(localPath)
                ? $"'{localPath}' is a folder: use LogArtifacts to upload a folder."
                : $"Cannot log artifact: the file '{localPath}' does not exist.");
        var target = ArtifactPath.Combine(ArtifactRoot, ArtifactPath.Combine(ArtifactPath.Normalize(artifactPath), Path.GetFileName(localPath)));
        await using var input = File.OpenRead(localPath);
        await _client.Artifacts.PutAsync(target, input, ct).ConfigureAwait(false);
    }

    /// <summary>Uploads every file under <paramref name="localFolder"/>, keeping the folder layout.</summary>
    public void LogArtifacts(string localFolder, string? artifactPath = null)
    {
        if (!Directory.Exists(localFolder))
            throw CairnException.InvalidParameter($"Cannot log artifacts: the folder '{localFolder}' does not exist.");
        foreach (var file in Directory.EnumerateFiles(localFolder, "*", SearchOption.AllDirectories))
        {
            var relativeFolder = Path.GetDirectoryName(Path.GetRelativePath(localFolder, file))!.Replace(Path.DirectorySeparatorChar, '/');
            var prefix = ArtifactPath.Normalize(artifactPath);
            LogArtifact(file, relativeFolder.Length == 0 ? prefix : ArtifactPath.Combine(prefix, relativeFolder));
        }
    }

    /// <summary>Writes text as an artifact file (a report, a CSV...).</summary>
    public void LogText(string text, string artifactFile)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        Wait(_client.Artifacts.PutAsync(ArtifactPath.Combine(ArtifactRoot, ArtifactPath.Normalize(artifactFile, allowRoot: false)), stream));
    }

    /// <summary>The store path of this run's artifact folder.</summary>
    public string ArtifactRoot => ArtifactPath.FromUri(Info.ArtifactUri);

    /// <summary>Sends every buffered metric now.</summary>
    public void Flush() => Wait(FlushAsync(throwOnError: true));

    /// <summary>Flushes and ends the run with <paramref name="status"/>; later calls do nothing.</summary>
    public void End(RunStatus status = RunStatus.Finished) => Wait(EndAsync(status));

    /// <summary>
    /// Ends the open child runs with the same status, sends the buffered metrics, then stores the
    /// status and end time; later calls do nothing.
    /// </summary>
    /// <exception cref="CairnException">Metrics could not be sent (they stay buffered), or the store refused the update.</exception>
    public async Task EndAsync(RunStatus status = RunStatus.Finished)
    {
        ActiveRun[] children;
        lock (_openChildren)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 1) return;
            children = [.. _openChildren];
        }
        OpenRuns.TryRemove(this, out _);
        if (_parent is { } parent) lock (parent._openChildren) parent._openChildren.Remove(this);
        // Children end first, as their parent did (a failed parent fails its open children); one
        // that cannot be stored does not keep this run open: it ends, then the error is raised.
        Exception? childError = null;
        foreach (var child in children)
        {
            try { await child.EndAsync(status).ConfigureAwait(false); }
            catch (Exception e) { childError ??= e; }
        }
        _stop.Cancel();
        try { await _flusher.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await FlushAsync(throwOnError: true).ConfigureAwait(false);
        Info = await _client.Tracking.UpdateRunAsync(
            new RunUpdate(RunId, status, _client.Time.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
        if (childError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(childError);
    }

    /// <summary>Ends the run FINISHED, or FAILED when an exception is unwinding through the caller's <c>using</c>.</summary>
    public void Dispose() => Wait(DisposeAsync().AsTask());

    /// <summary>Ends the run FINISHED, or FAILED when an exception is unwinding (then an error in ending it is written to stderr, not thrown).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!ExceptionInFlight())
        {
            await EndAsync(RunStatus.Finished).ConfigureAwait(false);
            return;
        }
        try
        {
            await EndAsync(RunStatus.Failed).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Never hide the caller's exception behind ours; say what could not be stored.
            Console.Error.WriteLine($"cairn: could not end run {RunId} as FAILED: {e.Message}");
        }
    }

    private static bool ExceptionInFlight() => Marshal.GetExceptionPointers() != IntPtr.Zero;

    private async Task FlushLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _flushSignal.WaitAsync(_options.FlushInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await FlushAsync(throwOnError: false).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(bool throwOnError)
    {
        await _flushGate.WaitAsync().ConfigureAwait(false);
        try
        {
            List<Metric> pending;
            lock (_bufferLock)
            {
                if (_buffer.Count == 0) return;
                pending = _buffer;
                _buffer = new List<Metric>(Math.Min(pending.Count, 1 << 16));
            }
            var sent = 0;
            try
            {
                foreach (var chunk in pending.Chunk(TrackingLimits.MaxMetricsPerBatch))
                {
                    await _client.Tracking.LogBatchAsync(RunId, new LogBatch(Metrics: chunk)).ConfigureAwait(false);
                    sent += chunk.Length;
                }
            }
            catch (Exception e)
            {
                // Keep what was not acknowledged, ahead of newer metrics, and try again later.
                lock (_bufferLock) _buffer.InsertRange(0, pending.Skip(sent));
                if (throwOnError)
                    throw new CairnException(e is CairnException c ? c.ErrorCode : ErrorCodes.InternalError,
                        $"{pending.Count - sent} metrics of run {RunId} could not be stored and are still buffered: {e.Message}", e);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    private void ValidateKeyOnce(string key)
    {
        lock (_validKeys)
        {
            if (_validKeys.Contains(key)) return;
        }
        TrackingLimits.ValidateKey("metric", key);
        lock (_validKeys) _validKeys.Add(key);
    }

    private void ThrowIfEnded()
    {
        if (Volatile.Read(ref _ended) == 1)
            throw CairnException.InvalidState($"Run {RunId} has ended; start a new run to log more.");
    }

    private static string Format(object? value) => value switch
    {
        null => "None",
        string s => s,
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private static void InstallExitHooks()
    {
        if (Interlocked.Exchange(ref _exitHooksInstalled, 1) == 1) return;
        // A clean exit without Dispose still delivers everything and ends the run, as MLflow's
        // atexit hook does; an unhandled exception marks the run FAILED.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => EndAll(RunStatus.Finished);
        AppDomain.CurrentDomain.UnhandledException += (_, _) => EndAll(RunStatus.Failed);
    }

    private static void EndAll(RunStatus status)
    {
        foreach (var run in OpenRuns.Keys)
        {
            try { run.End(status); }
            catch (Exception e) { Console.Error.WriteLine($"cairn: could not end run {run.RunId}: {e.Message}"); }
        }
    }
}
