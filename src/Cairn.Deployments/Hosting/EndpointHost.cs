using Cairn.Deployments.Canary;
using Cairn.Deployments.Management;
using Cairn.Deployments.Replicas;
using Cairn.Deployments.Routing;
using Cairn.Serving;

namespace Cairn.Deployments.Hosting;

/// <summary>What the serving process knows of its endpoint now: the revision served, each variant's live counters, the canary's last analysis, the shadow's comparison.</summary>
public sealed record EndpointStatus(string Endpoint, int Revision, IReadOnlyList<VariantStatus> Variants, CanaryState? Canary, CanaryVerdict? CanaryAnalysis, ShadowSnapshot? Shadow);

public sealed record VariantStatus(string Name, string Model, int Weight, long Since, long Requests, long Errors, long ClientErrors, double ErrorRate, double? P50Ms, double? P99Ms);

/// <summary>
/// Serves one endpoint in this process: follows its record in the store (every
/// <see cref="PollInterval"/>), has the router serve each new revision, and drives a canary in
/// progress. Several processes may serve one endpoint; each follows the same record.
/// </summary>
public sealed class EndpointHost : IAsyncDisposable
{
    private readonly EndpointManager _manager;
    private readonly Action<string> _report;
    private readonly TimeProvider _time;
    private string? _lastError;

    public EndpointHost(EndpointManager manager, string name, VariantLoader load, InferenceLog? log = null, TimeSpan? pollInterval = null,
        Action<string>? report = null, TimeProvider? time = null, TimeSpan? grace = null, IReplicaLauncher? replicas = null)
    {
        _manager = manager;
        _time = time ?? TimeProvider.System;
        _report = report ?? (_ => { });
        PollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        Router = new EndpointRouter(name, load, log, _time, grace, replicas is null ? null : new ReplicaOptions(replicas, RecordEvent));
        Canary = new CanaryController(manager, Router, _time);
    }

    public EndpointRouter Router { get; }

    /// <summary>Scaling and restarts go to the endpoint's history; a store that is briefly away loses the entry, not the replica.</summary>
    private void RecordEvent(string kind, string message) =>
        _ = Task.Run(async () =>
        {
            try { await _manager.Store.AppendEndpointEventAsync(Router.Name, new EndpointChange(kind, message, "cairn")).ConfigureAwait(false); }
            catch (Exception e) { _report($"could not record '{message}' in the history of '{Router.Name}': {e.GetBaseException().Message}"); }
        });
    public CanaryController Canary { get; }
    public TimeSpan PollInterval { get; }

    /// <summary>Loads the endpoint as stored now; throws (not found, a model that fails to load) so that the command can say why it cannot serve.</summary>
    public async Task StartAsync(CancellationToken ct = default) =>
        await Router.ApplyAsync(await _manager.Store.GetEndpointAsync(Router.Name, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>One poll: the stored record served, then the canary advanced; what changed is served at once.</summary>
    public async Task PollAsync(CancellationToken ct = default)
    {
        var record = await _manager.Store.GetEndpointAsync(Router.Name, ct).ConfigureAwait(false);
        try
        {
            await Router.ApplyAsync(record, ct).ConfigureAwait(false);
            _lastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A revision whose model fails to load is not served; the one before keeps answering.
            var message = $"revision {record.Revision} of endpoint '{Router.Name}' could not be served: {e.GetBaseException().Message}; still serving revision {Router.Revision}.";
            if (message != _lastError) _report(message);
            _lastError = message;
            return;
        }
        if (await Canary.TickAsync(record, ct).ConfigureAwait(false) is { } changed)
            await Router.ApplyAsync(changed, ct).ConfigureAwait(false);
    }

    /// <summary>Polls until <paramref name="stop"/>; a failed poll (the store briefly away) is reported and the next one tries again.</summary>
    public Task RunAsync(CancellationToken stop) =>
        PollingLoop.RunAsync(PollAsync, PollInterval, _time, e =>
        {
            // Said once, not every poll: an endpoint deleted while served fails every poll until it is stopped.
            var message = $"endpoint '{Router.Name}': {e.GetBaseException().Message}; still serving revision {Router.Revision}.";
            if (message != _lastError) _report(message);
            _lastError = message;
        }, stop);

    public EndpointStatus Status()
    {
        var record = Router.Endpoint;
        var variants = Router.Variants.Select(v =>
        {
            var s = v.Window.Snapshot();
            return new VariantStatus(v.Variant.Name, v.Variant.Model, v.Variant.Weight, s.Since, s.Requests, s.Errors, s.ClientErrors, s.ErrorRate, s.P50Ms, s.P99Ms);
        }).ToList();
        return new EndpointStatus(Router.Name, Router.Revision, variants, record?.Spec.Canary, Canary.LastVerdict, Router.ShadowSnapshot());
    }

    public ValueTask DisposeAsync() => Router.DisposeAsync();
}
