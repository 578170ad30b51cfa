namespace Cairn.Monitoring;

/// <summary>
/// One notification the evaluator decided to send: an alert that starts firing, fires again after its
/// cool-down, or resolves. Destinations turn it into their own message.
/// </summary>
/// <param name="State"><see cref="AlertStates.Firing"/> or <see cref="AlertStates.Resolved"/>.</param>
/// <param name="Model">The monitor's model URI (<c>models:/delay@champion</c>).</param>
/// <param name="Since">When this firing episode began (ms since epoch); the same for each repeat of one episode.</param>
/// <param name="Time">When the notification was decided (ms since epoch).</param>
/// <param name="Repeat">A firing alert notified again because its cool-down passed.</param>
public sealed record AlertNotification(
    string MonitorName, string AlertName, string State, string Severity, string Rule, double Value, double Threshold,
    string Message, string Model, long Since, long Time, bool Repeat, TimeSpan Cooldown)
{
    public bool IsFiring => State == AlertStates.Firing;
}

/// <summary>What one evaluation decided.</summary>
/// <param name="States">The states that changed (new, updated or resolved): the ones to save.</param>
/// <param name="Notifications">What to send, in rule order.</param>
public sealed record AlertEvaluation(IReadOnlyList<AlertState> States, IReadOnlyList<AlertNotification> Notifications);
