namespace Cairn.Monitoring;

/// <summary>The one-line human text of a notification, shared by the log, Slack and Alertmanager.</summary>
internal static class AlertText
{
    public static string Summary(AlertNotification n) =>
        $"[{n.State.ToUpperInvariant()}] {n.Severity} alert {n.AlertName} on monitor {n.MonitorName}" +
        (string.IsNullOrEmpty(n.Model) ? "" : $" ({n.Model})");

    public static string Line(AlertNotification n) => $"{Summary(n)}: {n.Message}";
}
