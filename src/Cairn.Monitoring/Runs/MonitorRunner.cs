using System.Globalization;
using Cairn.Pipelines;
using Cairn.Quality.Tables;
using Cairn.Registry;

namespace Cairn.Monitoring;

public sealed record MonitorRunnerOptions
{
    /// <summary>What a relative path, and the data cache of a <c>data:/</c> reference, are found from.</summary>
    public string Workspace { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>The inference log of monitors that name none.</summary>
    public string DefaultInferenceLog { get; init; } = Path.Combine(TrackingUri.DefaultFolder, "inference-log");
    /// <summary>For serving metrics and alert destinations.</summary>
    public HttpClient? Http { get; init; }
    /// <summary>The server log (the <c>log</c> destination, failed destinations).</summary>
    public Action<string>? Log { get; init; }
    /// <summary>The folder of rows pushed to feature views (<c>features/push</c> beside the store), read with a <c>features:/</c> reference; null: the views' sources alone.</summary>
    public string? FeaturePushLog { get; init; }
}

/// <summary>What a run made: the stored run, the report (null when it failed), a one-line summary, and the alert notifications it sent.</summary>
public sealed record MonitorRunResult(MonitorRun Run, MonitorReport? Report, string Summary, IReadOnlyList<AlertNotification> Notifications, IReadOnlyList<AlertDelivery> Deliveries);

/// <summary>
/// Runs a monitor over one window: resolves the model version and the reference, profiles both
/// in one pass each, computes drift, quality and (with feedback) performance, records the run as a
/// tracking run in the experiment <c>monitors/&lt;name&gt;</c> (values as metrics, <c>report.json</c>
/// and <c>report.html</c> as artifacts), stores its values on the monitor run, then evaluates the
/// alert rules and routes what changed.
/// </summary>
public sealed class MonitorRunner(CairnClient client, IMonitorStore store, MonitorRunnerOptions options, TimeProvider time)
{
    public const string ExperimentPrefix = "monitors/";
    public const string MonitorTag = "cairn.monitor";

    /// <summary>Runs now, by hand, over the window ending at <paramref name="end"/> (default: now).</summary>
    public async Task<MonitorRunResult> RunNowAsync(string name, DateTimeOffset? end, CancellationToken ct)
    {
        var monitor = await store.GetMonitorAsync(name, ct).ConfigureAwait(false);
        var windowEnd = (end ?? time.GetUtcNow()).ToUnixTimeMilliseconds();
        var window = (long)MonitorDuration.Parse(monitor.Spec.Window, "window").TotalMilliseconds;
        var key = $"manual:{MonitorScheduler.OccurrenceKey(DateTimeOffset.FromUnixTimeMilliseconds(windowEnd))}:{Ids.NewId()[..8]}";
        var claimed = await store.TryClaimMonitorRunAsync(new NewMonitorRun(name, key, windowEnd - window, windowEnd, "cli"), ct).ConfigureAwait(false)
            ?? throw CairnException.InvalidState($"The run {key} of monitor '{name}' was taken by another process.");
        return await ExecuteAsync(monitor, claimed, ct).ConfigureAwait(false);
    }

    /// <summary>Runs a claimed run to its end; a failure to compute or record it is recorded on the run (and returned), not thrown; only routing the alerts afterwards (and cancellation) may throw.</summary>
    public async Task<MonitorRunResult> ExecuteAsync(MonitorRecord monitor, MonitorRun claimed, CancellationToken ct)
    {
        MonitorReport? report = null;
        string trackingRunId;
        try
        {
            report = await ComputeAsync(monitor, claimed, ct).ConfigureAwait(false);
            trackingRunId = await RecordAsync(monitor, report, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A report that cannot be stored (artifact store full or refusing) fails the run too: never left "running".
            var message = (report is null ? "" : "The report could not be recorded: ") + (e is CairnException ? e.Message : $"{e.GetType().Name}: {e.Message}");
            var failed = await store.FinishMonitorRunAsync(claimed.RunId, MonitorRunStatuses.Failed, null, new Dictionary<string, double>(), message, CancellationToken.None).ConfigureAwait(false);
            return new MonitorRunResult(failed, null, message, [], []);
        }
        var finished = await store.FinishMonitorRunAsync(claimed.RunId, MonitorRunStatuses.Succeeded, trackingRunId, report.Values, null, CancellationToken.None).ConfigureAwait(false);
        var alerts = await AlertAsync(monitor, finished, report, ct).ConfigureAwait(false);
        return new MonitorRunResult(finished, report, Summarize(report), alerts?.Evaluation.Notifications ?? [], alerts?.Deliveries ?? []);
    }

    /// <summary>The statistics of one window against the reference, without recording anything.</summary>
    public async Task<MonitorReport> ComputeAsync(MonitorRecord monitor, MonitorRun run, CancellationToken ct)
    {
        var spec = monitor.Spec;
        var version = await ResolveModelAsync(spec.Model, ct).ConfigureAwait(false);
        var pinned = ModelUri.Parse(spec.Model).Version is not null;
        var logFolder = Path.GetFullPath(spec.InferenceLog ?? options.DefaultInferenceLog, options.Workspace);
        var current = new InferenceLogWindow(logFolder, version.Name, run.WindowStart, run.WindowEnd, pinned ? version.Version : null);
        var reference = await MonitorReference.ResolveAsync(spec, version, current, client, options.Workspace, options.FeaturePushLog, ct).ConfigureAwait(false);
        try
        {
            return await CompareAsync(monitor, run, version, current, reference, ct).ConfigureAwait(false);
        }
        finally
        {
            reference.Release();
        }
    }

    private async Task<MonitorReport> CompareAsync(MonitorRecord monitor, MonitorRun run, ModelVersion version, InferenceLogWindow current, ReferenceSource reference, CancellationToken ct)
    {
        var spec = monitor.Spec;
        var notes = new List<string>();

        var currentColumns = await InferenceLogReader.ColumnsAsync(current, ct).ConfigureAwait(false);
        var referenceColumns = reference switch
        {
            DatasetReference d => await TableReading.ColumnsOfAsync(d.Source, ct).ConfigureAwait(false),
            LogWindowReference w => await InferenceLogReader.ColumnsAsync(w.Window, ct).ConfigureAwait(false),
            _ => throw new InvalidOperationException(reference.GetType().Name),
        };
        var columns = MonitoredColumns.Choose(spec, reference, referenceColumns, current, currentColumns);
        if (currentColumns.Count == 0) notes.Add($"No rows were logged in {current}.");

        var referenceProfile = new WindowProfile(columns);
        long referenceRows;
        if (reference is DatasetReference dataset)
        {
            await using var table = await dataset.Source.OpenAsync(ct).ConfigureAwait(false);
            referenceRows = await TableReading.ReadAsync(table, columns, referenceProfile, ct).ConfigureAwait(false);
        }
        else referenceRows = await InferenceLogReader.ReadAsync(((LogWindowReference)reference).Window, columns, referenceProfile, null, null, ct).ConfigureAwait(false);
        if (referenceRows == 0) throw CairnException.InvalidParameter($"The reference {reference} has no rows: nothing to compare the window with.");

        var currentProfile = new WindowProfile(columns);
        var serving = new ServingFigures();
        var join = spec.Performance is { } performance ? PerformanceJoin(performance, currentColumns) : null;
        var currentRows = await InferenceLogReader.ReadAsync(current, columns, currentProfile, async (batch, token) =>
        {
            serving.Add(batch);
            if (join is not null) await join.AddAsync(batch, token).ConfigureAwait(false);
        }, join is null ? null : [.. spec.Performance!.Slices ?? [], join.PredictionField], ct).ConfigureAwait(false);

        var expected = await ExpectedVolumeAsync(monitor.Name, run, ct).ConfigureAwait(false);
        var statistics = MonitorStatistics.Compute(referenceProfile, currentProfile, spec, join?.Joined, expected);
        var values = new Dictionary<string, double>(statistics.Values, StringComparer.Ordinal);
        serving.AddValues(values);
        if (spec.ServingMetrics is { } metricsUrl)
            await AddErrorRateAsync(monitor.Name, version.Name, metricsUrl, values, notes, ct).ConfigureAwait(false);
        if (spec.Performance is not null && join is not { Joined.Count: > 0 })
        {
            // Said and recorded, so that labels sent under other request ids do not look like a missing performance section.
            values.TryAdd("labelled_rows", 0);
            if (currentRows > 0)
                notes.Add($"No feedback labels matched the {currentRows} rows of this window: labels are joined by the request id the model server answered (x-request-id) and the row within the request.");
        }
        if (join is { UnscoredRows: > 0 }) notes.Add($"{join.UnscoredRows} labelled rows had no numeric prediction in {join.PredictionField} and were left out of the performance.");
        return new MonitorReport(monitor.Name, $"models:/{version.Name}/{version.Version}", version.Version, reference.Description, current.ToString(),
            run.WindowStart, run.WindowEnd, referenceRows, currentRows, statistics.Drift, statistics.Quality, statistics.Performance, values, notes)
            { ReferenceUri = (reference as DatasetReference)?.Uri };
    }

    /// <summary>Evaluates the alert rules on the run's values, saves what changed and routes the notifications.</summary>
    private async Task<AlertOutcome?> AlertAsync(MonitorRecord monitor, MonitorRun run, MonitorReport report, CancellationToken ct)
    {
        if (monitor.Spec.Alerts is not { Count: > 0 }) return null;
        IPipelineScheduleStore? schedules;
        try
        {
            schedules = client.Schedules;
        }
        catch (CairnException)
        {
            schedules = null;
        }
        var dispatcher = new AlertDispatcher(options.Http ?? SharedHttp.Value, options.Log ?? (_ => { }), client.Registry, schedules, time);
        var watched = report.ModelVersion is null ? null : new WatchedModelVersion(ModelUri.Parse(monitor.Spec.Model).Name, report.ModelVersion);
        return await new AlertProcessor(store, dispatcher, time).ProcessAsync(monitor.Spec, run, watched, ct).ConfigureAwait(false);
    }

    private async Task<ModelVersion> ResolveModelAsync(string model, CancellationToken ct)
    {
        var uri = ModelUri.Parse(model);
        return uri.Alias is { } alias
            ? await client.Registry.GetModelVersionByAliasAsync(uri.Name, alias, ct).ConfigureAwait(false)
            : await client.Registry.GetModelVersionAsync(uri.Name, uri.Version!, ct).ConfigureAwait(false);
    }

    private FeedbackJoin? PerformanceJoin(PerformanceSettings performance, IReadOnlyList<MonitoredColumn> logged)
    {
        var prediction = performance.Prediction is { } named ? named
            : logged.FirstOrDefault(c => c.Name.StartsWith("output_", StringComparison.Ordinal) && c.Kind == MonitoredKind.Numeric)?.Name["output_".Length..];
        return prediction is null ? null : new FeedbackJoin(store, prediction, performance.Slices ?? []);
    }

    /// <summary>The usual volume for the window's hour of day: the mean rows of earlier succeeded runs whose windows ended at the same hour.</summary>
    private async Task<double?> ExpectedVolumeAsync(string name, MonitorRun run, CancellationToken ct)
    {
        var hour = DateTimeOffset.FromUnixTimeMilliseconds(run.WindowEnd).UtcDateTime.Hour;
        var earlier = (await store.ListMonitorRunsAsync(name, 500, ct).ConfigureAwait(false))
            .Where(r => r.RunId != run.RunId && r.Status == MonitorRunStatuses.Succeeded && r.WindowEnd < run.WindowEnd
                && DateTimeOffset.FromUnixTimeMilliseconds(r.WindowEnd).UtcDateTime.Hour == hour && r.Values.ContainsKey("rows"))
            .Select(r => r.Values["rows"]).ToList();
        return earlier.Count == 0 ? null : earlier.Average();
    }

    private async Task AddErrorRateAsync(string monitor, string model, string metricsUrl, Dictionary<string, double> values, List<string> notes, CancellationToken ct)
    {
        try
        {
            var http = options.Http ?? SharedHttp.Value;
            var counters = await ServingCounters.ReadAsync(http, metricsUrl, model, ct).ConfigureAwait(false);
            var previous = (await store.ListMonitorRunsAsync(monitor, 20, ct).ConfigureAwait(false))
                .FirstOrDefault(r => r.Values.ContainsKey(ServingCounters.RequestsValue) && r.Values.ContainsKey(ServingCounters.ErrorsValue));
            var before = previous is null ? null : new ServingCounters(previous.Values[ServingCounters.RequestsValue], previous.Values[ServingCounters.ErrorsValue]);
            values[ServingCounters.RequestsValue] = counters.Requests;
            values[ServingCounters.ErrorsValue] = counters.Errors;
            var rate = counters.ErrorRateSince(before);
            if (!double.IsNaN(rate)) values["error_rate"] = rate;
        }
        catch (CairnException e)
        {
            notes.Add(e.Message);
        }
    }

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromSeconds(10) });

    /// <summary>The tracking run of a monitor run: values as metrics (keys made valid), the report as JSON and HTML.</summary>
    private async Task<string> RecordAsync(MonitorRecord monitor, MonitorReport report, CancellationToken ct)
    {
        var end = DateTimeOffset.FromUnixTimeMilliseconds(report.WindowEnd);
        var tags = new Dictionary<string, string> { [MonitorTag] = monitor.Name, ["cairn.monitor.model"] = report.Model };
        await using var run = await client.StartRunAsync(ExperimentPrefix + monitor.Name, $"{monitor.Name} {MonitorScheduler.OccurrenceKey(end)}", tags, ct: ct).ConfigureAwait(false);
        run.LogParams(new Dictionary<string, object?>
        {
            ["model"] = report.Model,
            ["reference"] = Shorten(report.Reference),
            ["window_start"] = DateTimeOffset.FromUnixTimeMilliseconds(report.WindowStart).ToString("O", CultureInfo.InvariantCulture),
            ["window_end"] = end.ToString("O", CultureInfo.InvariantCulture),
        });
        run.LogMetrics(MonitorMetricKeys.ToMetrics(report.Values), step: 0);
        // Lineage: the data the monitor observed the model against.
        if (report.ReferenceUri is { } reference) await run.LogInputAsync(reference, "reference", ct).ConfigureAwait(false);
        run.LogText(MonitorReportJson.Write(report), "report.json");
        // The page's lines over time end with this run, which is not finished in the store yet.
        var thisRun = new MonitorRun("", monitor.Name, "", report.WindowStart, report.WindowEnd, MonitorRunStatuses.Succeeded, null, null, report.Values, null, 0, null);
        run.LogText(MonitorReportHtml.Render(report, [.. await HistoryAsync(monitor.Name, ct).ConfigureAwait(false), thisRun]), "report.html");
        return run.Info.RunId;
    }

    private async Task<IReadOnlyList<MonitorRun>> HistoryAsync(string name, CancellationToken ct) =>
        (await store.ListMonitorRunsAsync(name, 200, ct).ConfigureAwait(false)).Where(r => r.Status == MonitorRunStatuses.Succeeded).Reverse().ToList();

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..497] + "...";

    public static string Summarize(MonitorReport report)
    {
        var parts = new List<string> { $"{report.CurrentRows} rows" };
        if (report.Drift is { } drift) parts.Add($"drift share {drift.Dataset.DriftShare.ToString("0.###", CultureInfo.InvariantCulture)} ({drift.Dataset.DriftedFeatures} of {drift.Dataset.ComparedFeatures} columns drifted{(drift.Dataset.Drifted ? ", dataset drift" : "")})");
        if (report.Values.TryGetValue("auc", out var auc)) parts.Add($"AUC {auc.ToString("0.###", CultureInfo.InvariantCulture)}");
        return string.Join(", ", parts);
    }
}
