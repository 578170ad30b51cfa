using System.Globalization;
using System.Text.Json;

namespace Cairn.Features;

/// <summary>
/// Answers online feature lookups from an online store: resolves the features against the
/// definitions, reads each view once for all entity rows, and marks every value PRESENT,
/// NOT_FOUND, NULL_VALUE or OUTSIDE_MAX_AGE (older than the view's TTL, measured at the lookup).
/// On-demand features are computed by their functions (<paramref name="functions"/>) from the
/// request values sent among the entities and the stored inputs, after the stored features: an
/// input that is not PRESENT reaches the function as null, as in a training set.
/// </summary>
public sealed class OnlineFeatureReader(FeatureRepository repository, IOnlineFeatureStore store, TimeProvider? clock = null, OnDemandFeatureFunctions? functions = null)
{
    /// <summary>The most entity rows one lookup may ask for.</summary>
    public const int MaxEntityRows = 10_000;

    private static readonly DateTimeOffset NoTimestamp = DateTimeOffset.UnixEpoch;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown feature, view or service, neither or both of
    /// features and a service, an entity column missing, of another length or holding values of the wrong type, or too many rows.</exception>
    public async Task<OnlineFeatureResponse> ReadAsync(OnlineFeatureRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var references = (request.Features is { Count: > 0 }, request.FeatureService) switch
        {
            (true, null) => request.Features!,
            (false, { } service) => FeatureSelection.OfService(repository, service),
            (true, _) => throw CairnException.InvalidParameter("Give either features or a feature_service, not both."),
            _ => throw CairnException.InvalidParameter("Give the features to read (view:feature) or a feature_service."),
        };
        var plan = FeatureSelection.ResolveWithOnDemand(repository, references, request.FullFeatureNames);
        var views = plan.Views;
        var rows = EntityRowCount(request.Entities);
        var requestValues = plan.OnDemand.Select(v => OnDemandOnline.RequestValues(request.Entities, v.View, rows)).ToList();
        foreach (var onDemand in plan.OnDemand) (functions ?? OnDemandFeatureFunctions.None).Get(onDemand.View.Function, onDemand.View.Name);
        var names = new List<string>();
        var results = new List<OnlineFeatureColumn>();
        foreach (var (name, values) in request.Entities)
        {
            names.Add(name);
            results.Add(new OnlineFeatureColumn(values, [.. Enumerable.Repeat(OnlineFeatureStatuses.Present, rows)], [.. Enumerable.Repeat(NoTimestamp, rows)]));
        }
        var columns = new Dictionary<FeatureReference, OnlineFeatureColumn>();
        var now = _clock.GetUtcNow();
        var keysByView = views.Select(view => Keys(request.Entities, view, rows)).ToList(); // every key checked before the store is read
        for (var v = 0; v < views.Count; v++)
        {
            var view = views[v];
            var stored = await store.ReadAsync(view.View.Name, keysByView[v], [.. view.Features.Select(f => f.Field.Name)], ct).ConfigureAwait(false);
            foreach (var feature in view.Features)
                columns[feature.Reference] = Column(stored, feature.Field.Name, view.View.Ttl, now);
        }
        foreach (var view in views)
            foreach (var feature in view.Features.Where(f => f.Output))
            {
                names.Add(feature.Column);
                results.Add(columns[feature.Reference]);
            }
        for (var v = 0; v < plan.OnDemand.Count; v++)
        {
            var computed = OnDemandOnline.Compute(plan.OnDemand[v], functions ?? OnDemandFeatureFunctions.None, requestValues[v], columns, rows);
            foreach (var feature in plan.OnDemand[v].Features)
            {
                names.Add(feature.Column);
                results.Add(computed[feature.Field.Name]);
            }
        }
        return new OnlineFeatureResponse(names, results);
    }

    private static OnlineFeatureColumn Column(IReadOnlyList<OnlineFeatureValues?> stored, string feature, TimeSpan? ttl, DateTimeOffset now)
    {
        var values = new object?[stored.Count];
        var statuses = new string[stored.Count];
        var times = new DateTimeOffset[stored.Count];
        for (var i = 0; i < stored.Count; i++)
        {
            if (stored[i] is not { } found)
            {
                (statuses[i], times[i]) = (OnlineFeatureStatuses.NotFound, NoTimestamp);
                continue;
            }
            times[i] = found.EventTime;
            var value = found.Values.GetValueOrDefault(feature);
            if (ttl is { } maxAge && now - found.EventTime > maxAge) statuses[i] = OnlineFeatureStatuses.OutsideMaxAge;
            else if (value is null) statuses[i] = OnlineFeatureStatuses.NullValue;
            else (values[i], statuses[i]) = (value, OnlineFeatureStatuses.Present);
        }
        return new OnlineFeatureColumn(values, statuses, times);
    }

    private static int EntityRowCount(IReadOnlyDictionary<string, IReadOnlyList<object?>> entities)
    {
        if (entities is not { Count: > 0 }) throw CairnException.InvalidParameter("No entities given: send entities as columns, such as {\"Origin\": [\"SFO\", \"JFK\"]}.");
        var counts = entities.Select(e => e.Value?.Count ?? 0).Distinct().ToList();
        if (counts.Count > 1) throw CairnException.InvalidParameter($"The entity columns have different lengths ({string.Join(", ", entities.Select(e => $"{e.Key}: {e.Value?.Count ?? 0}"))}): give one value per row in each.");
        if (counts[0] is < 1 or > MaxEntityRows) throw CairnException.InvalidParameter($"A lookup reads 1 to {MaxEntityRows} entity rows; {counts[0]} were sent.");
        return counts[0];
    }

    private static List<IReadOnlyList<object>> Keys(IReadOnlyDictionary<string, IReadOnlyList<object?>> entities, SelectedView view, int rows)
    {
        var columns = view.JoinKeys.Select(key => (Key: key, Values: entities.TryGetValue(key.Name, out var values) ? values
            : throw CairnException.InvalidParameter($"Feature view '{view.View.Name}' is looked up by '{key.Name}', which the entities do not have (they have {string.Join(", ", entities.Keys)})."))).ToList();
        var keys = new List<IReadOnlyList<object>>(rows);
        for (var r = 0; r < rows; r++)
            keys.Add([.. columns.Select(c => KeyValue(c.Values[r], c.Key, r))]);
        return keys;
    }

    /// <summary>A join key value as the store keys it: a long for int64 keys, a string for string keys (JSON values accepted).</summary>
    private static object KeyValue(object? value, FeatureField key, int row) => (key.Type, value) switch
    {
        (FeatureType.Int64, long l) => l,
        (FeatureType.Int64, int i) => (long)i,
        (FeatureType.Int64, JsonElement { ValueKind: JsonValueKind.Number } e) when e.TryGetInt64(out var l) => l,
        (FeatureType.String, string s) => s,
        (FeatureType.String, JsonElement { ValueKind: JsonValueKind.String } e) => e.GetString()!,
        _ => throw CairnException.InvalidParameter(
            $"Entity row {row + 1}: '{key.Name}' must be {(key.Type == FeatureType.Int64 ? "an integer" : "a string")}, got {Describe(value)}."),
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        JsonElement e => e.ValueKind == JsonValueKind.String ? $"the string \"{Truncate(e.GetString()!)}\"" : $"{e.ValueKind.ToString().ToLowerInvariant()} {Truncate(e.GetRawText())}",
        string s => $"the string \"{Truncate(s)}\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "a value",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
