using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Data;
using Cairn.Pipelines;
using Cairn.Registry;

namespace Cairn.Monitoring;

/// <summary>
/// What a monitor spec must look like before it is stored; every store checks with
/// <see cref="Validate"/>, so a bad spec is refused the same way embedded and over REST.
/// </summary>
public static class MonitorSpecRules
{
    public const int MaxNameLength = 100;
    public const int MaxFeatures = 1000;
    public const int MaxAlerts = 100;
    public const int MaxDestinations = 20;
    public const string WindowReferencePrefix = "window:";
    public static readonly IReadOnlyList<string> Severities = ["critical", "warning", "info"];
    public static readonly IReadOnlyList<string> Tasks = ["classification", "regression"];
    public static readonly IReadOnlyList<string> FeatureKinds = ["numeric", "categorical"];
    public static readonly IReadOnlyList<string> WebhookFormats = ["json", "slack"];

    /// <summary>
    /// The spec's JSON (snake_case, as stored and as sent to the REST API), refusing keys the spec
    /// does not have so that a typo such as <c>windw</c> is an error, not a setting silently ignored.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(CairnJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Letters, digits, '-', '_' and '.', starting with a letter or digit; up to 100.</summary>
    public static string Name(string? name, string what = "monitor")
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter($"A {what} needs a name.");
        if (name.Length > MaxNameLength)
            throw CairnException.InvalidParameter($"The {what} name is {name.Length} characters long; the limit is {MaxNameLength}.");
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw CairnException.InvalidParameter($"Invalid {what} name '{name}': use letters, digits, '-', '_' and '.', starting with a letter or digit.");
        return name;
    }

    /// <returns>The spec with defaults filled in for fields sent as null.</returns>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the field and what is accepted.</exception>
    public static MonitorSpec Validate(MonitorSpec? spec)
    {
        if (spec is null) throw CairnException.InvalidParameter("A monitor spec is required.");
        var name = Name(spec.Name);
        var model = Model(spec.Model);
        var reference = Reference(spec.Reference);
        var window = string.IsNullOrWhiteSpace(spec.Window) ? "1h" : spec.Window.Trim();
        MonitorDuration.Parse(window, "window");
        var timeZone = string.IsNullOrWhiteSpace(spec.TimeZone) ? "UTC" : spec.TimeZone.Trim();
        CronSchedule.ParseZone(timeZone);
        var schedule = string.IsNullOrWhiteSpace(spec.Schedule) ? null : spec.Schedule.Trim();
        if (schedule is not null) CronSchedule.Parse(schedule, timeZone);
        if (spec.InferenceLog is { } log && (log.Length is 0 or > 4096 || log.Contains('\0')))
            throw CairnException.InvalidParameter("The inference_log must be a folder path of 1 to 4096 characters.");
        if (spec.ServingMetrics is { } metrics && !(Uri.TryCreate(metrics, UriKind.Absolute, out var metricsUrl) && (metricsUrl.Scheme == Uri.UriSchemeHttp || metricsUrl.Scheme == Uri.UriSchemeHttps)))
            throw CairnException.InvalidParameter($"The serving_metrics must be the absolute http(s) URL of a cairn serve's /metrics, such as http://127.0.0.1:8080/metrics; got '{metrics}'.");
        if (spec.Description is { Length: > 4000 })
            throw CairnException.InvalidParameter($"The description is {spec.Description.Length} characters long; the limit is 4000.");
        return spec with
        {
            Name = name, Model = model, Reference = reference, Window = window, Schedule = schedule, TimeZone = timeZone,
            Features = Features(spec.Features), Drift = Drift(spec.Drift), Performance = Performance(spec.Performance),
            Alerts = Alerts(spec.Alerts), Destinations = Destinations(spec.Destinations),
        };
    }

    private static string Model(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
            throw CairnException.InvalidParameter("A monitor needs a model: models:/<name>@<alias> (e.g. models:/delay@champion) or models:/<name>/<version>.");
        return ModelUri.Parse(model.Trim()).ToString();
    }

    /// <summary>Null, <c>data:/name@N</c>, <c>features:/view[@N][?start=..&amp;end=..]</c>, or <c>window:-7d</c> / <c>window:-7d..-6d</c> (a past stretch of the log).</summary>
    private static string? Reference(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference)) return null;
        reference = reference.Trim();
        if (DataUri.IsDataUri(reference)) return DataUri.Parse(reference).ToString();
        if (Cairn.Features.FeatureUri.IsFeatureUri(reference)) return Cairn.Features.FeatureViewRange.Parse(reference).ToString();
        if (!reference.StartsWith(WindowReferencePrefix, StringComparison.Ordinal))
            throw CairnException.InvalidParameter(
                $"Invalid reference '{reference}': leave it out (the model's training data), or write data:/<name>@<version>, features:/<view>@<version> or window:-7d (or window:-7d..-6d).");
        var parts = reference[WindowReferencePrefix.Length..].Split("..");
        var offsets = parts.Select(part => part.StartsWith('-') && parts.Length <= 2
            ? MonitorDuration.Parse(part[1..], "reference window")
            : throw CairnException.InvalidParameter($"Invalid reference '{reference}': write window:-<duration> or window:-<duration>..-<duration>, such as window:-7d..-6d.")).ToList();
        if (offsets.Count == 2 && offsets[0] <= offsets[1])
            throw CairnException.InvalidParameter($"Invalid reference '{reference}': the window starts further back than it ends, such as window:-7d..-6d.");
        return reference;
    }

    private static IReadOnlyList<string>? Features(IReadOnlyList<string>? features)
    {
        if (features is null) return null;
        if (features.Count > MaxFeatures)
            throw CairnException.InvalidParameter($"{features.Count} features; the limit is {MaxFeatures}.");
        ColumnNames(features, "feature");
        if (features.Distinct(StringComparer.Ordinal).Count() != features.Count)
            throw CairnException.InvalidParameter("A feature is listed twice; list each column once.");
        return features.ToList();
    }

    private static void ColumnNames(IEnumerable<string?> columns, string what)
    {
        foreach (var column in columns)
            if (string.IsNullOrWhiteSpace(column) || column.Length > 256 || column.Any(char.IsControl))
                throw CairnException.InvalidParameter($"Invalid {what} column '{column}': a column name of 1 to 256 printable characters.");
    }

    private static DriftSettings? Drift(DriftSettings? drift)
    {
        if (drift is null) return null;
        Method(drift.Method, "drift.method");
        Threshold(drift.Threshold, "drift.threshold");
        if (!double.IsFinite(drift.DriftShare) || drift.DriftShare is <= 0 or > 1)
            throw CairnException.InvalidParameter($"Invalid drift.drift_share {drift.DriftShare}: a share of the features, more than 0 and at most 1 (e.g. 0.5).");
        if (drift.PerFeature is { } perFeature)
        {
            if (perFeature.Count > MaxFeatures) throw CairnException.InvalidParameter($"{perFeature.Count} per-feature drift settings; the limit is {MaxFeatures}.");
            ColumnNames(perFeature.Keys, "drift.per_feature");
            foreach (var (column, settings) in perFeature)
            {
                if (settings is null) throw CairnException.InvalidParameter($"drift.per_feature.{column} is empty: give a method, threshold or kind.");
                Method(settings.Method, $"drift.per_feature.{column}.method");
                Threshold(settings.Threshold, $"drift.per_feature.{column}.threshold");
                if (settings.Kind is { } kind && !FeatureKinds.Contains(kind))
                    throw CairnException.InvalidParameter($"Invalid drift.per_feature.{column}.kind '{kind}': expected {string.Join(" or ", FeatureKinds)}.");
            }
        }
        return drift;
    }

    private static void Method(string? method, string what)
    {
        if (method is not null && !DriftMethods.All.Contains(method))
            throw CairnException.InvalidParameter($"Invalid {what} '{method}': expected one of {string.Join(", ", DriftMethods.All)}.");
    }

    private static void Threshold(double? threshold, string what)
    {
        if (threshold is { } t && (!double.IsFinite(t) || t < 0))
            throw CairnException.InvalidParameter($"Invalid {what} {t}: a finite number of at least 0.");
    }

    private static PerformanceSettings? Performance(PerformanceSettings? performance)
    {
        if (performance is null) return null;
        var task = string.IsNullOrWhiteSpace(performance.Task) ? "classification" : performance.Task;
        if (!Tasks.Contains(task))
            throw CairnException.InvalidParameter($"Invalid performance.task '{task}': expected {string.Join(" or ", Tasks)}.");
        if (!double.IsFinite(performance.Threshold))
            throw CairnException.InvalidParameter($"Invalid performance.threshold {performance.Threshold}: a finite number.");
        if (performance.Prediction is { } prediction) ColumnNames([prediction], "performance.prediction");
        if (performance.Slices is { } slices) ColumnNames(slices, "performance.slices");
        return performance with { Task = task };
    }

    private static IReadOnlyList<AlertRuleSpec>? Alerts(IReadOnlyList<AlertRuleSpec>? alerts)
    {
        if (alerts is null) return null;
        if (alerts.Count > MaxAlerts) throw CairnException.InvalidParameter($"{alerts.Count} alert rules; the limit is {MaxAlerts}.");
        var checkedAlerts = new List<AlertRuleSpec>();
        foreach (var alert in alerts)
        {
            if (alert is null) throw CairnException.InvalidParameter("An alert rule is empty: give a name and a rule.");
            Name(alert.Name, "alert");
            AlertRule.Parse(alert.Rule);
            var severity = string.IsNullOrWhiteSpace(alert.Severity) ? "warning" : alert.Severity;
            if (!Severities.Contains(severity))
                throw CairnException.InvalidParameter($"Invalid severity '{severity}' of alert '{alert.Name}': expected {string.Join(", ", Severities)}.");
            var cooldown = string.IsNullOrWhiteSpace(alert.Cooldown) ? "1h" : alert.Cooldown.Trim();
            MonitorDuration.Parse(cooldown, $"cooldown of alert '{alert.Name}'");
            if (checkedAlerts.Any(a => a.Name == alert.Name))
                throw CairnException.InvalidParameter($"Two alert rules are named '{alert.Name}': give each its own name.");
            checkedAlerts.Add(alert with { Rule = alert.Rule.Trim(), Severity = severity, Cooldown = cooldown });
        }
        return checkedAlerts;
    }

    private static IReadOnlyList<AlertDestination>? Destinations(IReadOnlyList<AlertDestination>? destinations)
    {
        if (destinations is null) return null;
        if (destinations.Count > MaxDestinations) throw CairnException.InvalidParameter($"{destinations.Count} alert destinations; the limit is {MaxDestinations}.");
        foreach (var d in destinations)
        {
            if (d is null || !AlertDestinationTypes.All.Contains(d.Type))
                throw CairnException.InvalidParameter($"Unknown alert destination type '{d?.Type}': expected one of {string.Join(", ", AlertDestinationTypes.All)}.");
            if (d.Type is AlertDestinationTypes.Webhook or AlertDestinationTypes.Alertmanager
                && !(Uri.TryCreate(d.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
                throw CairnException.InvalidParameter($"A {d.Type} destination needs an absolute http(s) url, such as https://hooks.example.com/cairn; got '{d.Url}'.");
            if (d.Format is { } format && (d.Type != AlertDestinationTypes.Webhook || !WebhookFormats.Contains(format)))
                throw CairnException.InvalidParameter($"Invalid format '{format}' for a {d.Type} destination: only a webhook takes a format, {string.Join(" or ", WebhookFormats)}.");
            if (d.Type == AlertDestinationTypes.Pipeline)
            {
                if (string.IsNullOrWhiteSpace(d.Trigger))
                    throw CairnException.InvalidParameter("A pipeline destination needs the name of a pipeline trigger (event alert) to fire: set trigger.");
                ScheduleRules.Name(d.Trigger, "trigger");
            }
        }
        return destinations.ToList();
    }
}
