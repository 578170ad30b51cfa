using System.Text.RegularExpressions;

namespace Cairn.Monitoring;

/// <summary>The checks of a monitor's alerts and destinations, run when a monitor is created or updated.</summary>
public static partial class AlertRouting
{
    public const int MaxAlerts = 100;
    public const int MaxDestinations = 20;

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex AlertName();

    /// <summary>Checks that every rule parses, severities and cool-downs are valid, alert names are unique, and each destination has a known type and what it needs.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE saying what is wrong and how to write it.</exception>
    public static void Validate(MonitorSpec spec)
    {
        var alerts = spec.Alerts ?? [];
        if (alerts.Count > MaxAlerts)
            throw CairnException.InvalidParameter($"Monitor '{spec.Name}' has {alerts.Count} alerts; the limit is {MaxAlerts}.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            if (alert is null) throw CairnException.InvalidParameter($"Monitor '{spec.Name}': an alert is empty; each has a name and a rule.");
            if (alert.Name is null || !AlertName().IsMatch(alert.Name))
                throw CairnException.InvalidParameter(
                    $"Invalid alert name '{alert.Name}': use 1 to 100 letters, digits, '_', '-' or '.', such as 'drift_high'.");
            if (!names.Add(alert.Name))
                throw CairnException.InvalidParameter($"Monitor '{spec.Name}' has two alerts named '{alert.Name}': alert names are unique per monitor.");
            ParsedAlert.From(alert);
        }
        var destinations = spec.Destinations ?? [];
        if (destinations.Count > MaxDestinations)
            throw CairnException.InvalidParameter($"Monitor '{spec.Name}' has {destinations.Count} destinations; the limit is {MaxDestinations}.");
        for (var i = 0; i < destinations.Count; i++)
            ValidateDestination(destinations[i], $"destinations[{i}]");
    }

    private static void ValidateDestination(AlertDestination? d, string where)
    {
        if (d is null) throw CairnException.InvalidParameter($"{where} is empty: give it a type ({string.Join(", ", AlertDestinationTypes.All)}).");
        if (!AlertDestinationTypes.All.Contains(d.Type))
            throw CairnException.InvalidParameter($"{where} has type '{d.Type}': use one of {string.Join(", ", AlertDestinationTypes.All)}.");
        switch (d.Type)
        {
            case AlertDestinationTypes.Webhook:
                HttpUrl(d.Url, where, "https://hooks.slack.com/services/...");
                if (d.Format is not null && !WebhookDestination.Formats.Contains(d.Format))
                    throw CairnException.InvalidParameter($"{where} has format '{d.Format}': use {string.Join(" or ", WebhookDestination.Formats)}.");
                break;
            case AlertDestinationTypes.Alertmanager:
                HttpUrl(d.Url, where, "http://alertmanager:9093");
                break;
            case AlertDestinationTypes.Pipeline:
                if (string.IsNullOrWhiteSpace(d.Trigger))
                    throw CairnException.InvalidParameter(
                        $"{where} (pipeline) has no trigger: name a pipeline trigger of event 'alert', created with 'cairn pipeline trigger add NAME FILE --on-alert ALERT'.");
                break;
        }
    }

    /// <summary>An absolute http or https URL.</summary>
    public static Uri HttpUrl(string? url, string where, string example)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host))
            throw CairnException.InvalidParameter($"{where} has url '{url}': give an absolute http or https URL, such as {example}.");
        return uri;
    }
}
