namespace Cairn.Monitoring;

/// <summary>One place a monitor's alerts go. A failure throws; the dispatcher logs and records it and goes on.</summary>
public interface IAlertDestination
{
    /// <summary>Names the destination in logs and alert history, such as <c>webhook http://hooks.local/x</c>.</summary>
    string Description { get; }

    Task SendAsync(AlertNotification notification, CancellationToken ct);
}
