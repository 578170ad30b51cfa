namespace Cairn.Monitoring;

/// <summary>
/// What a monitor watches and how: a model's inference log window against a reference, the
/// statistics to compute, the alert rules and where alerts go. Written in YAML (<c>monitors/*.yaml</c>)
/// or built by <c>cairn monitor create</c>; stored as JSON (snake_case) in the monitor store.
/// </summary>
/// <param name="Name">Letters, digits, '-', '_' and '.'; addressed as <c>monitors:/name</c>.</param>
/// <param name="Model"><c>models:/name@alias</c> or <c>models:/name/N</c>: the logged predictions of this model (by its name in the inference log).</param>
/// <param name="Reference">
/// Null: the dataset the model version was trained on, found through lineage (the training run's <c>data:/</c> inputs).
/// <c>data:/name@N</c>: a dataset version. <c>features:/view@N</c>, optionally <c>?start=..&amp;end=..</c>: a feature view's offline rows. <c>window:-7d</c> or <c>window:-7d..-6d</c>: a past window of the inference log, relative to the current window's end.
/// </param>
/// <param name="Window">The current window, ending at the run's time: <c>1h</c>, <c>30m</c>, <c>1d</c>.</param>
/// <param name="Schedule">Cron (five fields, or six with seconds first) on which <c>cairn server</c> runs the monitor; null: only by hand.</param>
/// <param name="InferenceLog">Folder of the Parquet inference log that <c>cairn serve --inference-log</c> writes; null: <c>.cairn/inference-log</c> beside the store.</param>
/// <param name="Features">Columns compared; null: every input column the reference and the log share, and the prediction.</param>
/// <param name="ServingMetrics">The <c>/metrics</c> URL of the <c>cairn serve</c> that answers the model: each run reads its request and error counters, for <c>error_rate</c>.</param>
public sealed record MonitorSpec(
    string Name,
    string Model,
    string? Reference = null,
    string Window = "1h",
    string? Schedule = null,
    string TimeZone = "UTC",
    string? InferenceLog = null,
    IReadOnlyList<string>? Features = null,
    DriftSettings? Drift = null,
    PerformanceSettings? Performance = null,
    IReadOnlyList<AlertRuleSpec>? Alerts = null,
    IReadOnlyList<AlertDestination>? Destinations = null,
    string? Description = null,
    string? ServingMetrics = null);

/// <summary>How drift is decided. Defaults follow Evidently: KS / chi-square at p &lt; 0.05 for samples of at most 1,000 rows, Wasserstein / Jensen–Shannon above 0.1 for larger ones, dataset drift when half the features drift.</summary>
/// <param name="Method">Null: chosen by type and size as above; otherwise one of <see cref="DriftMethods"/>.</param>
/// <param name="Threshold">Null: the method's default (p-value 0.05 for tests, 0.1 for distances, 0.2 for PSI).</param>
/// <param name="DriftShare">The dataset drifts when at least this share of the compared features drift.</param>
/// <param name="PerFeature">Overrides by column name.</param>
public sealed record DriftSettings(
    string? Method = null,
    double? Threshold = null,
    double DriftShare = 0.5,
    IReadOnlyDictionary<string, FeatureDriftSettings>? PerFeature = null);

public sealed record FeatureDriftSettings(string? Method = null, double? Threshold = null, string? Kind = null);

/// <summary>The drift statistics a monitor can use; the first three for numbers, the rest for categories; PSI for both.</summary>
public static class DriftMethods
{
    public const string KolmogorovSmirnov = "ks";
    public const string Wasserstein = "wasserstein";
    public const string Psi = "psi";
    public const string ChiSquare = "chisquare";
    public const string JensenShannon = "jensenshannon";
    public static readonly IReadOnlyList<string> All = [KolmogorovSmirnov, Wasserstein, Psi, ChiSquare, JensenShannon];
}

/// <summary>Live performance from ground truth sent later (feedback), joined to logged predictions by request id and row.</summary>
/// <param name="Task"><c>classification</c> (binary: a probability or score and a 0/1 label) or <c>regression</c>.</param>
/// <param name="Prediction">The logged output column (without the <c>output_</c> prefix) holding the score or value; null: the first numeric output.</param>
/// <param name="Threshold">Classification: a score at or above it predicts 1.</param>
/// <param name="Slices">Input columns to break the metrics down by (per value).</param>
public sealed record PerformanceSettings(
    string Task = "classification",
    string? Prediction = null,
    double Threshold = 0.5,
    IReadOnlyList<string>? Slices = null);

/// <summary>An alert rule over a monitor run's values or the serving metrics.</summary>
/// <param name="Rule">
/// <c>value op number</c>: <c>drift_share &gt; 0.3</c>, <c>psi(Distance) &gt; 0.2</c>, <c>missing_rate(Origin) &gt; 0.05</c>,
/// <c>p99_latency_ms &gt; 50</c>, <c>error_rate &gt; 0.01</c>, <c>auc &lt; 0.7</c>. See docs/monitoring-alerts.md for every value.
/// </param>
/// <param name="Severity"><c>critical</c>, <c>warning</c> or <c>info</c>.</param>
/// <param name="Cooldown">After a notification, the same firing alert is not notified again for this long (<c>1h</c>); a resolve is always notified.</param>
public sealed record AlertRuleSpec(string Name, string Rule, string Severity = "warning", string Cooldown = "1h");

/// <summary>Where a monitor's alerts go.</summary>
/// <param name="Type">One of <see cref="AlertDestinationTypes"/>.</param>
/// <param name="Url">Webhook or Alertmanager base URL.</param>
/// <param name="Format">Webhook body: <c>json</c> (default) or <c>slack</c>.</param>
/// <param name="Trigger">For <c>pipeline</c>: the name of a pipeline trigger (event <c>alert</c>) to fire.</param>
public sealed record AlertDestination(string Type, string? Url = null, string? Format = null, string? Trigger = null);

public static class AlertDestinationTypes
{
    public const string Webhook = "webhook";
    public const string Alertmanager = "alertmanager";
    public const string Log = "log";
    /// <summary>A tag on the watched model version naming the alert and its state.</summary>
    public const string ModelVersion = "model_version";
    /// <summary>Queues a fire of a pipeline trigger (retrain on drift).</summary>
    public const string Pipeline = "pipeline";
    public static readonly IReadOnlyList<string> All = [Webhook, Alertmanager, Log, ModelVersion, Pipeline];
}
