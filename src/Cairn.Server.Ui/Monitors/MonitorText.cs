using Cairn.Monitoring;
using Cairn.Server.Ui.Components;

namespace Cairn.Server.Ui.Monitors;

/// <summary>How the monitor pages name severities, statuses, models and destinations.</summary>
public static class MonitorText
{
    private static readonly string[] Severities = ["critical", "warning", "info"];

    /// <summary>0 for critical, 1 warning, 2 info, 3 anything else: the most severe sorts first.</summary>
    public static int SeverityRank(string severity)
    {
        var i = Array.IndexOf(Severities, severity);
        return i < 0 ? Severities.Length : i;
    }

    /// <summary>A class for the badge; stored text never becomes a class name of its own.</summary>
    public static string SeverityClass(string severity) => "severity severity-" + (SeverityRank(severity) < Severities.Length ? severity : "other");

    public static string RunStatusClass(string status) => "status status-" + status switch
    {
        MonitorRunStatuses.Succeeded => "succeeded",
        MonitorRunStatuses.Failed => "failed",
        MonitorRunStatuses.Running => "running",
        _ => "other",
    };

    public static string AlertStateClass(string state) => "alert-state alert-" + (state is AlertStates.Firing or AlertStates.Resolved ? state : "other");

    public static string Window(MonitorRun run) => $"{Format.Time(run.WindowStart)} – {Format.Time(run.WindowEnd)}";

    public static string Value(IReadOnlyDictionary<string, double> values, string key) =>
        values.TryGetValue(key, out var v) ? Format.Number(v) : "";

    public static string Value(double? value) => value is { } v ? Format.Number(v) : "";

    /// <summary>The page of the model a monitor watches (<c>models:/name@alias</c> or <c>models:/name/N</c>); null for anything else.</summary>
    public static string? ModelLink(string model)
    {
        const string prefix = "models:/";
        if (!model.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = model[prefix.Length..];
        var at = rest.IndexOf('@');
        if (at > 0) return Format.ModelLink(rest[..at]);
        var slash = rest.LastIndexOf('/');
        if (slash > 0 && int.TryParse(rest[(slash + 1)..], out _)) return Format.VersionLink(rest[..slash], rest[(slash + 1)..]);
        return rest.Length > 0 && !rest.Contains('/') ? Format.ModelLink(rest) : null;
    }

    /// <summary>
    /// Where alerts go, without the secret a webhook URL's path or query often is (a Slack
    /// webhook's token): only the scheme and host are shown.
    /// </summary>
    public static string Destination(AlertDestination destination)
    {
        var parts = new List<string> { destination.Type };
        if (destination.Url is { } url)
            parts.Add(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? $"{uri.Scheme}://{uri.Authority}/…" : "(URL set)");
        if (destination.Format is { } format) parts.Add($"format {format}");
        if (destination.Trigger is { } trigger) parts.Add($"trigger {trigger}");
        return string.Join(", ", parts);
    }
}
