using Cairn.Deployments.Replicas;
using Cairn.Serving;
using Microsoft.AspNetCore.Http;

namespace Cairn.Deployments.Routing;

/// <summary>Loads a variant's model under the endpoint's name (its version is the model version).</summary>
public delegate Task<ServedModel> VariantLoader(string modelUri, string servedName, CancellationToken ct);

/// <summary>
/// Replica processes for endpoints with more than one replica: how to start one, and where the
/// router reports scaling and restarts (an event kind of <see cref="EndpointEventKinds"/> and a message).
/// </summary>
public sealed record ReplicaOptions(IReplicaLauncher Launcher, Action<string, string>? Record = null);

/// <summary>A live variant as the router holds it.</summary>
public sealed record RoutedVariant(EndpointVariant Variant, ServedModel Model, VariantWindow Window);

/// <summary>
/// The endpoint's router: the protocol routes ask it for the model of each request; it picks a
/// variant by the traffic split (sticky by key when the endpoint says so), counts the response
/// against that variant, and hands a copy to the shadow. The routing table is immutable and
/// replaced with one reference assignment when the endpoint changes, so weights change
/// atomically: a request uses the table it started with, and a model no longer routed to is
/// disposed only after a grace period, when requests in flight on it have finished.
/// </summary>
public sealed class EndpointRouter : IServingTarget, IAsyncDisposable
{
    private sealed record RouteTable(EndpointRecord Record, TrafficSplit Split, IReadOnlyDictionary<string, RoutedVariant> Live, ShadowMirror? Shadow,
        int ShadowPercent, string? StickyHeader, bool StickyByRequestId);

    private const string TableKey = "cairn.route_table";

    private readonly string _name;
    private readonly VariantLoader _load;
    private readonly InferenceLog? _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly ReplicaOptions? _replicas;
    /// <summary>A loaded model: what requests are sent to, and everything to release with it (replica set, autoscaler, the in-process model).</summary>
    private sealed record Loaded(ServedModel Routed, IReadOnlyList<IAsyncDisposable> Owned) : IAsyncDisposable
    {
        /// <summary>In order: the autoscaler stops, the replica processes end, then the model here.</summary>
        public async ValueTask DisposeAsync()
        {
            foreach (var owned in Owned) await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
    private readonly Dictionary<string, Loaded> _models = [];
    private volatile RouteTable? _table;

    /// <param name="replicas">How to start replica processes; null: every variant is served in this process only, whatever its max replicas.</param>
    public EndpointRouter(string endpointName, VariantLoader load, InferenceLog? log = null, TimeProvider? time = null, TimeSpan? grace = null, ReplicaOptions? replicas = null)
    {
        _name = EndpointSpecRules.Name(endpointName);
        (_load, _log, _time, _grace, _replicas) = (load, log, time ?? TimeProvider.System, grace ?? TimeSpan.FromSeconds(10), replicas);
    }

    public string Name => _name;

    public event Action<ServedModel>? Swapped;

    /// <summary>The revision being served; 0 before the first <see cref="ApplyAsync"/>.</summary>
    public int Revision => _table?.Record.Revision ?? 0;

    public EndpointRecord? Endpoint => _table?.Record;

    public IReadOnlyList<ServedModel> Models => _table is { } t ? [.. t.Live.Values.Select(v => v.Model)] : [];

    public IReadOnlyList<RoutedVariant> Variants => _table is { } t ? [.. t.Live.Values] : [];

    public ShadowSnapshot? ShadowSnapshot() => _table?.Shadow?.Snapshot();

    public VariantSnapshot? Snapshot(string variant) => _table is { } t && t.Live.TryGetValue(variant, out var v) ? v.Window.Snapshot() : null;

    /// <summary>
    /// Serves <paramref name="record"/>: loads the models it names that are not loaded yet (the
    /// current table keeps answering meanwhile), then swaps the table in. A model that fails to
    /// load leaves the endpoint served as it was, and the error goes to the caller.
    /// </summary>
    public async Task ApplyAsync(EndpointRecord record, CancellationToken ct = default)
    {
        if (record.Name != _name) throw CairnException.InvalidParameter($"This router serves endpoint '{_name}', not '{record.Name}'.");
        await _applying.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var previous = _table;
            if (previous is not null && previous.Record.Revision >= record.Revision) return;
            var spec = record.Spec;
            foreach (var variant in spec.Variants)
                if (!_models.ContainsKey(variant.Model))
                {
                    var loaded = await LoadAsync(variant, spec, ct).ConfigureAwait(false);
                    _models[variant.Model] = loaded;
                    Swapped?.Invoke(loaded.Routed);
                }
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var live = new Dictionary<string, RoutedVariant>();
            foreach (var variant in spec.Variants.Where(v => v.Role == VariantRoles.Live))
            {
                // A variant keeps its counters unless its model or the canary step changed: the analysis reads one step's traffic.
                var kept = previous?.Live.GetValueOrDefault(variant.Name) is { } old && old.Variant.Model == variant.Model
                    && previous.Record.Spec.Canary?.StepIndex == spec.Canary?.StepIndex && previous.Record.Spec.Canary?.Status == spec.Canary?.Status
                    ? old.Window : new VariantWindow(variant.Name, variant.Model, now);
                live[variant.Name] = new RoutedVariant(variant, _models[variant.Model].Routed, kept);
            }
            var shadow = previous?.Shadow;
            var shadowSpec = spec.Shadow is { } s ? spec.Variants.First(v => v.Name == s.Variant) : null;
            if (shadow is not null && (shadowSpec is null || shadow.Variant != shadowSpec.Name || shadow.Model != _models[shadowSpec.Model].Routed))
                shadow = null; // the old mirror finishes its queue below
            if (shadow is null && shadowSpec is not null)
                shadow = new ShadowMirror(_name, shadowSpec.Name, _models[shadowSpec.Model].Routed, _log);
            var sticky = spec.StickyBy;
            _table = new RouteTable(record, new TrafficSplit(OrderForSplit(spec), Salt(spec)), live, shadow, spec.Shadow?.Percent ?? 0,
                sticky?.StartsWith(EndpointSpecRules.HeaderPrefix, StringComparison.Ordinal) == true ? sticky[EndpointSpecRules.HeaderPrefix.Length..] : null,
                sticky == EndpointSpecRules.RequestIdSticky);
            if (previous?.Shadow is { } oldShadow && oldShadow != shadow) _ = RetireAsync(oldShadow);
            var unused = _models.Where(m => spec.Variants.All(v => v.Model != m.Key)).ToList();
            foreach (var (uri, loaded) in unused)
            {
                _models.Remove(uri);
                _ = RetireAsync(loaded);
            }
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>
    /// Loads a variant's model into this process. A live variant of an endpoint with more than one
    /// replica gets a replica set (this process's copy first, then processes up to the minimum)
    /// and an autoscaler between the endpoint's minimum and maximum; a shadow is always served here alone.
    /// </summary>
    private async Task<Loaded> LoadAsync(EndpointVariant variant, EndpointSpec spec, CancellationToken ct)
    {
        var local = await _load(variant.Model, _name, ct).ConfigureAwait(false);
        if (_replicas is null || spec.MaxReplicas <= 1 || variant.Role == VariantRoles.Shadow) return new Loaded(local, [local]);
        var set = new ReplicaSet(variant.Model, new LocalReplica(local), _replicas.Launcher, _time);
        var record = _replicas.Record ?? ((_, _) => { });
        set.ReplicaRestarted += reason => record(EndpointEventKinds.ReplicaRestarted, $"{variant.Model}: {reason}");
        try
        {
            if (spec.MinReplicas > 1) await set.ScaleToAsync(spec.MinReplicas, ct).ConfigureAwait(false);
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var scaler = new Autoscaler(set, spec.Autoscaling ?? new AutoscalingSettings(), spec.MinReplicas, spec.MaxReplicas, _time);
        scaler.Scaled += (from, to, reason) => record(EndpointEventKinds.Scaled, $"{variant.Model}: {from} -> {to} replicas ({reason})");
        scaler.ScaleFailed += message => record(EndpointEventKinds.Scaled, $"{variant.Model}: scaling failed: {message}");
        scaler.Start();
        var routed = new ServedModel(_name, local.Version, local.Predictor) { Dispatch = set.PredictAsync, OwnsPredictor = false };
        return new Loaded(routed, [scaler, set, local]);
    }

    /// <summary>The canary first, so that its keys stay with it as its weight grows; then the spec's order.</summary>
    private static IEnumerable<(string, int)> OrderForSplit(EndpointSpec spec)
    {
        var live = spec.Variants.Where(v => v.Role == VariantRoles.Live).ToList();
        if (spec.Canary is { } canary) live = [.. live.Where(v => v.Name == canary.Variant), .. live.Where(v => v.Name != canary.Variant)];
        return live.Select(v => (v.Name, v.Weight));
    }

    /// <summary>An A/B test's start reshuffles keys; otherwise they stay put for the endpoint's life.</summary>
    private static string Salt(EndpointSpec spec) => spec.AbTest is { } ab ? $"{spec.Name}:{ab.StartedAt}" : spec.Name;

    private async Task RetireAsync(IAsyncDisposable retired)
    {
        try
        {
            await Task.Delay(_grace, _time).ConfigureAwait(false);
            await retired.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposal of a retired model has no one to report to; the next one goes on.
        }
    }

    public ServedModel Choose(HttpContext http, string? version)
    {
        var table = _table ?? throw CairnException.InvalidState($"Endpoint '{_name}' is not loaded yet.");
        http.Items[TableKey] = table;
        RoutedVariant chosen;
        if (version is not null)
        {
            // A client that names a version gets that version, if a live variant serves it.
            chosen = table.Live.Values.FirstOrDefault(v => v.Model.Version == version)
                ?? throw CairnException.NotFound($"Version {version} is not served by endpoint '{_name}'; its live versions are {string.Join(", ", table.Live.Values.Select(v => v.Model.Version))}.");
        }
        else
        {
            var key = table.StickyHeader is { } header ? http.Request.Headers[header].ToString()
                : table.StickyByRequestId ? ServingApi.RequestId(http) : null;
            chosen = table.Live[table.Split.Pick(key)];
        }
        http.Items[ServingTargets.VariantKey] = chosen.Variant.Name;
        return chosen.Model;
    }

    private RoutedVariant? ChosenVariant(HttpContext http) =>
        http.Items.TryGetValue(TableKey, out var t) && t is RouteTable table && ServingTargets.VariantOf(http) is { } name ? table.Live.GetValueOrDefault(name) : null;

    public void Scored(HttpContext http, ServedModel model, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<IReadOnlyDictionary<string, object?>> results, double latencyMs)
    {
        if (ChosenVariant(http) is not { } variant) return;
        variant.Window.Scored(results);
        var table = (RouteTable)http.Items[TableKey]!;
        if (table.Shadow is { } shadow && (table.ShadowPercent >= 100 || Random.Shared.Next(100) < table.ShadowPercent))
            shadow.Offer(new ShadowCopy(ServingApi.RequestId(http), _time.GetUtcNow().ToUnixTimeMilliseconds(), ServingMetrics.Protocol(http.Request.Path), rows, results, latencyMs));
    }

    public void Completed(HttpContext http, ServedModel model, int status, double latencyMs) => ChosenVariant(http)?.Window.Completed(status, latencyMs);

    public async ValueTask DisposeAsync()
    {
        if (_table?.Shadow is { } shadow) await shadow.DisposeAsync().ConfigureAwait(false);
        foreach (var loaded in _models.Values) await loaded.DisposeAsync().ConfigureAwait(false);
        _models.Clear();
    }
}
