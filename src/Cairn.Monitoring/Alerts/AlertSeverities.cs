namespace Cairn.Monitoring;

public static class AlertSeverities
{
    public const string Critical = "critical";
    public const string Warning = "warning";
    public const string Info = "info";
    public static readonly IReadOnlyList<string> All = [Critical, Warning, Info];
}
