using Cairn.Pipelines;
using Cairn.Registry;

namespace Cairn.Monitoring;

/// <summary>The model version a monitor watches, resolved from its model URI by the caller.</summary>
public sealed record WatchedModelVersion(string Name, string Version);

/// <summary>How one notification fared at one destination.</summary>
public sealed record AlertDelivery(AlertNotification Notification, string Destination, bool Delivered, string? Error);

/// <summary>
/// Sends notifications to a monitor's destinations. A destination that fails (an HTTP error, an
/// unreachable host, a timeout, a missing trigger) is logged and reported in the result; it never
/// stops the other destinations or the monitor.
/// </summary>
/// <param name="http">Shared by webhooks and Alertmanager; each request is bounded by <see cref="Timeout"/>.</param>
/// <param name="log">The server's log: the <c>log</c> destination and delivery failures.</param>
/// <param name="registry">For <c>model_version</c> destinations; null: they fail with a clear error.</param>
/// <param name="schedules">For <c>pipeline</c> destinations; null: they fail with a clear error.</param>
public sealed class AlertDispatcher(HttpClient http, Action<string> log, IRegistryStore? registry = null,
    IPipelineScheduleStore? schedules = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The longest a destination may take for one notification.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The destinations of <paramref name="monitor"/>, in its order; ones that cannot be built here throw when sent to.</summary>
    public IReadOnlyList<IAlertDestination> DestinationsFor(MonitorSpec monitor, WatchedModelVersion? modelVersion) =>
        (monitor.Destinations ?? []).Select(d => BuildOrExplain(monitor, d, modelVersion)).ToList();

    /// <summary>Sends every notification to every destination of the monitor; returns one delivery per pair.</summary>
    public async Task<IReadOnlyList<AlertDelivery>> DispatchAsync(MonitorSpec monitor, IReadOnlyList<AlertNotification> notifications,
        WatchedModelVersion? modelVersion, CancellationToken ct = default)
    {
        if (notifications.Count == 0) return [];
        var destinations = DestinationsFor(monitor, modelVersion);
        var deliveries = new List<AlertDelivery>();
        foreach (var n in notifications)
            foreach (var destination in destinations)
                deliveries.Add(await SendAsync(destination, n, ct));
        return deliveries;
    }

    private async Task<AlertDelivery> SendAsync(IAlertDestination destination, AlertNotification n, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(Timeout);
        try
        {
            await destination.SendAsync(n, bounded.Token);
            return new AlertDelivery(n, destination.Description, true, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var error = e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0.#} s" : e.Message;
            log($"Alert {n.AlertName} of monitor {n.MonitorName} ({n.State}) not delivered to {destination.Description}: {error}");
            return new AlertDelivery(n, destination.Description, false, error);
        }
    }

    private IAlertDestination BuildOrExplain(MonitorSpec monitor, AlertDestination d, WatchedModelVersion? modelVersion)
    {
        try
        {
            return Build(monitor, d, modelVersion);
        }
        catch (CairnException e)
        {
            // A spec stored before validation existed: that one destination fails, not the others.
            return new Unavailable($"{d?.Type} {d?.Url}".Trim(), e.Message);
        }
    }

    private IAlertDestination Build(MonitorSpec monitor, AlertDestination d, WatchedModelVersion? modelVersion) => d.Type switch
    {
        AlertDestinationTypes.Webhook => new WebhookDestination(http, AlertRouting.HttpUrl(d.Url, "webhook destination", "https://hooks.local/cairn"), d.Format),
        AlertDestinationTypes.Alertmanager => new AlertmanagerDestination(http,
            AlertRouting.HttpUrl(d.Url, "alertmanager destination", "http://alertmanager:9093"), FiringValidity(monitor)),
        AlertDestinationTypes.Log => new LogDestination(log),
        AlertDestinationTypes.ModelVersion => registry is null || modelVersion is null
            ? new Unavailable("model version", "no model registry or resolved model version was given to the dispatcher")
            : new ModelVersionDestination(registry, modelVersion.Name, modelVersion.Version),
        AlertDestinationTypes.Pipeline => schedules is null
            ? new Unavailable($"pipeline trigger {d.Trigger}", "this server has no pipeline schedule store")
            : new PipelineTriggerDestination(schedules, d.Trigger ?? "", _time),
        _ => new Unavailable(d.Type, $"unknown destination type '{d.Type}'"),
    };

    /// <summary>Twice the longer of the monitor's window and its longest cool-down: a firing alert outlives the wait for its next re-send.</summary>
    internal static TimeSpan FiringValidity(MonitorSpec monitor)
    {
        var longest = TimeSpan.FromHours(1);
        try
        {
            longest = MonitorDuration.Parse(monitor.Window, "window");
            foreach (var alert in monitor.Alerts ?? [])
                longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, MonitorDuration.Parse(alert.Cooldown, "cool-down").Ticks));
        }
        catch (CairnException)
        {
            // A monitor that was validated never gets here; keep the default rather than fail a send.
        }
        return longest * 2;
    }

    /// <summary>A destination the dispatcher lacks the means for: each send fails with the reason.</summary>
    private sealed class Unavailable(string description, string reason) : IAlertDestination
    {
        public string Description => description;
        public Task SendAsync(AlertNotification notification, CancellationToken ct) => throw CairnException.InvalidState(reason);
    }
}
