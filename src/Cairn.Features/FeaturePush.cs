using System.Globalization;
using System.Text.Json;

namespace Cairn.Features;

/// <summary>
/// Writes fresh rows of a view (computed outside Cairn, such as from a stream) to the offline push
/// log and to the online store, in that order: once a push is acknowledged its rows are in the
/// training sets' data, and an online store failure is reported without losing them.
/// </summary>
public static class FeaturePush
{
    /// <summary>The most rows one push may carry.</summary>
    public const int MaxRows = 10_000;

    /// <summary>
    /// Pushes <paramref name="rows"/> (column name to value; CLR values or <see cref="JsonElement"/>s) to
    /// <paramref name="view"/>. Each row holds the view's join keys and event timestamp (ISO 8601 with
    /// an offset, or a <see cref="DateTimeOffset"/>); features left out are null.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE, before anything is written, for an unknown view, an unknown
    /// column, a missing or null join key or timestamp, a value of the wrong type, or too many rows.</exception>
    public static async Task<PushResult> PushAsync(FeatureRepository repository, string view, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows,
        string pushLogRoot, IOnlineFeatureStore? onlineStore, TimeProvider? clock = null, CancellationToken ct = default)
    {
        var definition = repository.Views.FirstOrDefault(v => v.Name == view)
            ?? throw CairnException.InvalidParameter($"Unknown feature view '{view}'; declared views: {string.Join(", ", repository.Views.Select(v => v.Name))}.");
        if (rows.Count is < 1 or > MaxRows) throw CairnException.InvalidParameter($"A push carries 1 to {MaxRows} rows; {rows.Count} were sent.");
        var selected = FeatureSelection.Resolve(repository, [.. definition.Features.Select(f => new FeatureReference(view, f.Name))], fullFeatureNames: true)[0];
        var columns = selected.JoinKeys.Append(new FeatureField(selected.Source.TimestampField, FeatureType.Timestamp)).Concat(definition.Features).ToList();
        var known = columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var converted = new List<object?[]>(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw CairnException.InvalidParameter($"Row {r + 1} is null.");
            if (row.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
                throw CairnException.InvalidParameter($"Row {r + 1}: feature view '{view}' has no column '{Short(unknown)}' (its columns: {string.Join(", ", known)}).");
            var values = new object?[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                values[c] = Convert(row.GetValueOrDefault(columns[c].Name), columns[c], r);
                if (values[c] is null && c <= selected.JoinKeys.Count)
                    throw CairnException.InvalidParameter($"Row {r + 1} has no value for '{columns[c].Name}', which every pushed row needs (the join keys and the event timestamp).");
            }
            converted.Add(values);
        }

        var file = FeaturePushLog.NewFile(pushLogRoot, view, (clock ?? TimeProvider.System).GetUtcNow());
        await WriteOfflineAsync(file, columns, converted, ct);
        long online = 0;
        if (onlineStore is not null && definition.Online)
        {
            var keys = selected.JoinKeys.Count;
            var onlineRows = converted.Select(v => new OnlineFeatureRow(v[..keys]!, new DateTimeOffset((DateTime)v[keys]!),
                definition.Features.Select((f, i) => (f.Name, Value: Online(v[keys + 1 + i]))).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal))).ToList();
            online = await onlineStore.WriteAsync(view, definition.Features, onlineRows, ct);
            await onlineStore.RecordViewStateAsync(view, new OnlineViewState(null, onlineRows.Max(r => r.EventTime)), ct); // the view's freshness
        }
        return new PushResult(view, rows.Count, file, online);
    }

    private static async Task WriteOfflineAsync(string file, IReadOnlyList<FeatureField> columns, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var partial = file + ".partial";
        try
        {
            using var session = await DuckDbSession.OpenAsync(ct);
            // Timestamps are kept as UTC TIMESTAMP values; readers cast them to instants.
            var definitions = columns.Select(c => $"{DuckDbSql.Identifier(c.Name)} {(c.Type == FeatureType.Timestamp ? "TIMESTAMP" : DuckDbSql.TypeOf(c.Type))}");
            await session.ExecuteAsync($"CREATE TEMP TABLE push ({string.Join(", ", definitions)})", ct, "Preparing the push");
            await session.AppendAsync("push", rows, ct);
            await session.ExecuteAsync($"COPY push TO {DuckDbSql.Literal(partial)} (FORMAT parquet)", ct, "Writing the push to the offline log");
            using (var written = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite)) written.Flush(flushToDisk: true); // on disk before it is acknowledged
            File.Move(partial, file);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static object? Online(object? value) => value is DateTime t ? new DateTimeOffset(t) : value;

    private static object? Convert(object? value, FeatureField column, int row)
    {
        if (value is null || value is JsonElement { ValueKind: JsonValueKind.Null }) return null;
        object? converted = (column.Type, value) switch
        {
            (FeatureType.Int64, long l) => l,
            (FeatureType.Int64, int i) => (long)i,
            (FeatureType.Int64, JsonElement { ValueKind: JsonValueKind.Number } e) when e.TryGetInt64(out var l) => l,
            (FeatureType.Double, double d) => d,
            (FeatureType.Double, float f) => (double)f,
            (FeatureType.Double, long l) => (double)l,
            (FeatureType.Double, int i) => (double)i,
            (FeatureType.Double, JsonElement { ValueKind: JsonValueKind.Number } e) => e.GetDouble(),
            (FeatureType.String, string s) => s,
            (FeatureType.String, JsonElement { ValueKind: JsonValueKind.String } e) => e.GetString(),
            (FeatureType.Bool, bool b) => b,
            (FeatureType.Bool, JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False } e) => e.GetBoolean(),
            (FeatureType.Timestamp, DateTimeOffset o) => o.UtcDateTime,
            (FeatureType.Timestamp, DateTime t) when t.Kind == DateTimeKind.Utc => t,
            (FeatureType.Timestamp, string s) => Instant(s),
            (FeatureType.Timestamp, JsonElement { ValueKind: JsonValueKind.String } e) => Instant(e.GetString()!),
            _ => null,
        };
        return converted ?? throw CairnException.InvalidParameter(
            $"Row {row + 1}: '{column.Name}' must be {Expected(column.Type)}, got {Describe(value)}.");
    }

    /// <summary>An ISO 8601 instant with an offset (Z or ±hh:mm); null when it is not one.</summary>
    private static DateTime? Instant(string text) =>
        text.Length <= 40 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
        && (text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T'))
            ? instant.UtcDateTime
            : null;

    private static string Expected(FeatureType type) => type switch
    {
        FeatureType.Int64 => "an integer",
        FeatureType.Double => "a number",
        FeatureType.String => "a string",
        FeatureType.Bool => "true or false",
        _ => "an ISO 8601 instant with an offset, such as 2024-03-01T12:00:00Z",
    };

    private static string Describe(object value) => value switch
    {
        JsonElement e => e.ValueKind == JsonValueKind.String ? $"\"{Short(e.GetString()!)}\"" : Short(e.GetRawText()),
        string s => $"\"{Short(s)}\"",
        _ => Short(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? value.GetType().Name),
    };

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
