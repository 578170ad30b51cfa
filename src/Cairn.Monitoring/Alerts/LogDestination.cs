namespace Cairn.Monitoring;

/// <summary>Writes each notification as one line to the server's log.</summary>
public sealed class LogDestination(Action<string> log) : IAlertDestination
{
    public string Description => "log";

    public Task SendAsync(AlertNotification n, CancellationToken ct)
    {
        log(AlertText.Line(n));
        return Task.CompletedTask;
    }
}
