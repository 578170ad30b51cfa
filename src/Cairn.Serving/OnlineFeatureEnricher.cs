using Cairn.Features;

namespace Cairn.Serving;

/// <summary>
/// Adds a feature service's online features to each request row before scoring
/// (<c>cairn serve --feature-service</c>). The rows carry the service's join keys, and the request
/// fields of its on-demand features (computed by the service's functions); each feature
/// becomes an input named as the feature alone (<c>avg_delay</c>, as a training set names its
/// columns by default). A value whose status is not PRESENT becomes null, which the model reads
/// as missing. A request that already gives a feature column is refused, so what the model saw
/// is always what the store held.
/// </summary>
public sealed class OnlineFeatureEnricher
{
    private readonly IOnlineFeatureService _service;
    private readonly HashSet<string> _requestFields = new(StringComparer.Ordinal);

    /// <summary>The feature service looked up.</summary>
    public string Service { get; }
    /// <summary>The join keys each request row must carry (of every entity of the service's views and on-demand inputs), then the request fields of its on-demand features.</summary>
    public IReadOnlyList<string> JoinKeys { get; }
    /// <summary>The inputs added to each row, named after the features.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    private OnlineFeatureEnricher(IOnlineFeatureService service, string name, IReadOnlyList<string> joinKeys, IReadOnlyList<string> featureNames) =>
        (_service, Service, JoinKeys, FeatureNames) = (service, name, joinKeys, featureNames);

    /// <summary>An enricher for the registered service <paramref name="name"/> of <paramref name="repository"/>.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the service is not registered (the registered ones listed).</exception>
    public static OnlineFeatureEnricher Create(IOnlineFeatureService service, FeatureRepository repository, string name)
    {
        var definition = repository.Services.FirstOrDefault(s => s.Name == name)
            ?? throw CairnException.InvalidParameter($"Feature service '{name}' is not registered; registered: {(repository.Services.Count == 0 ? "none (run `cairn features apply`)" : string.Join(", ", repository.Services.Select(s => s.Name)))}.");
        var onDemand = definition.Features.Select(f => f.View).Distinct()
            .Select(view => repository.OnDemandViews.FirstOrDefault(v => v.Name == view)).OfType<OnDemandFeatureViewDefinition>().ToList();
        // On-demand features are looked up by the join keys of their inputs' views, and need their request fields.
        var storedViews = definition.Features.Select(f => f.View).Concat(onDemand.SelectMany(v => v.Inputs.Select(i => i.View))).Distinct();
        var joinKeys = storedViews
            .SelectMany(view => repository.Views.FirstOrDefault(v => v.Name == view)?.Entities ?? [])
            .SelectMany(entity => repository.Entities.FirstOrDefault(e => e.Name == entity)?.JoinKeys ?? [])
            .Select(k => k.Name)
            .Concat(onDemand.SelectMany(v => v.RequestFields.Select(f => f.Name)))
            .Distinct(StringComparer.Ordinal).ToList();
        var names = definition.Features.Select(f => f.Feature).ToList();
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw CairnException.InvalidParameter($"Feature service '{name}' has two features named '{twice.Key}': serving names inputs by feature, so each name must be unique.");
        var enricher = new OnlineFeatureEnricher(service, name, joinKeys, names);
        enricher._requestFields.UnionWith(onDemand.SelectMany(v => v.RequestFields.Select(f => f.Name)));
        return enricher;
    }

    /// <summary>The rows with the service's features added (a new row each; the request's are not changed).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE (400) for a row without a join key, or one that already gives a feature.</exception>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> EnrichAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct = default)
    {
        if (rows.Count == 0) return rows;
        var entities = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
        foreach (var key in JoinKeys)
        {
            var values = new object?[rows.Count];
            for (var r = 0; r < rows.Count; r++)
                values[r] = rows[r].TryGetValue(key, out var value) && value is not null
                    ? value
                    : throw CairnException.InvalidParameter($"Row {r} has no {(_requestFields.Contains(key) ? "request field" : "join key")} '{key}': feature service '{Service}' looks its features up by {string.Join(", ", JoinKeys)}.");
            entities[key] = values;
        }
        for (var r = 0; r < rows.Count; r++)
            foreach (var feature in FeatureNames)
                if (rows[r].ContainsKey(feature))
                    throw CairnException.InvalidParameter($"Row {r} gives '{feature}', a feature of service '{Service}' that the server looks up online: leave it out of the request.");
        var answer = await _service.GetOnlineFeaturesAsync(new OnlineFeatureRequest(null, Service, entities), ct);
        // The answer lists the join keys first, then the features (grouped by view), each named by the feature alone.
        var columns = FeatureNames.Select(f => answer.Results[LastIndexOf(answer.FeatureNames, f)]).ToList();
        var enriched = new IReadOnlyDictionary<string, object?>[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = new Dictionary<string, object?>(rows[r], StringComparer.Ordinal);
            for (var f = 0; f < FeatureNames.Count; f++)
                row[FeatureNames[f]] = columns[f].Statuses[r] == OnlineFeatureStatuses.Present ? columns[f].Values[r] : null;
            enriched[r] = row;
        }
        return enriched;
    }

    private static int LastIndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = names.Count - 1; i >= 0; i--)
            if (names[i] == name) return i;
        throw new InvalidOperationException($"The online answer has no column '{name}'.");
    }
}
