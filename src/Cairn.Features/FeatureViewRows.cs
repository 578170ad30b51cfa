using System.Globalization;

namespace Cairn.Features;

/// <summary>
/// A view's offline rows (its source through its transformation, plus the rows pushed to it) put
/// in a DuckDB table, keeping only events in [start, end): what statistics and exports read.
/// </summary>
internal static class FeatureViewRows
{
    /// <summary>Fills <paramref name="table"/>; returns the view as resolved and the SQL of an event's time in Unix microseconds.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown view, or a source without a declared column or with another type.</exception>
    public static async Task<(SelectedView View, string EventMicros)> LoadAsync(DuckDbSession session, FeatureRepository repository, string view, string table,
        DateTimeOffset? start, DateTimeOffset? end, SourceReading reading, string? pushLogRoot, CancellationToken ct)
    {
        var definition = repository.Views.FirstOrDefault(v => v.Name == view)
            ?? throw CairnException.InvalidParameter($"Unknown feature view '{view}'; declared views: {string.Join(", ", repository.Views.Select(v => v.Name))}.");
        if (start is { } s0 && end is { } e0 && e0 <= s0) throw CairnException.InvalidParameter($"The interval's end {e0:O} is not after its start {s0:O}.");
        var selected = FeatureSelection.Resolve(repository, [.. definition.Features.Select(f => new FeatureReference(view, f.Name))], fullFeatureNames: true)[0];
        var relation = await FeatureViewRelation.OpenAsync(session, selected, reading, ct);
        var micros = $"epoch_us(CAST({DuckDbSql.Identifier(selected.Source.TimestampField)} AS TIMESTAMPTZ))";
        var conditions = new List<string> { $"{DuckDbSql.Identifier(selected.Source.TimestampField)} IS NOT NULL" };
        if (start is { } s) conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{micros} >= {Micros(s)}"));
        if (end is { } e) conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{micros} < {Micros(e)}"));
        await FeaturePushLog.CopyAsync(session, selected, relation, table, pushLogRoot, ct);
        await session.ExecuteAsync($"DELETE FROM {table} WHERE NOT ({string.Join(" AND ", conditions)})", ct, $"Choosing the events of feature view '{view}'");
        return (selected, micros);
    }

    private static long Micros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
