using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Cairn.Serving;

/// <summary>
/// Lays inference entries out as Parquet columns, one row per scored row. Each input and output
/// gets a typed column (double for numbers, bool, string; anything else as JSON text), which is
/// what drift and data-quality checks read, and costs far less than a JSON document per request.
/// </summary>
public static class InferenceColumns
{
    public static async Task WriteAsync(IReadOnlyList<InferenceEntry> entries, Stream stream)
    {
        var rows = entries.SelectMany(e => e.Inputs.Select((input, i) => (Entry: e, Row: i, Input: input, Output: i < e.Outputs.Count ? e.Outputs[i] : null))).ToList();
        var requestId = new DataField<string>("request_id");
        var row = new DataField<long>("row");
        var timestamp = new DataField<long>("timestamp");
        var model = new DataField<string>("model");
        var version = new DataField<string>("version");
        var protocol = new DataField<string>("protocol");
        var latency = new DataField<double>("latency_ms");
        var inputs = Columns("input_", rows.Select(r => r.Input));
        var outputs = Columns("output_", rows.Select(r => r.Output));
        var schema = new ParquetSchema([requestId, row, timestamp, model, version, protocol, latency, .. inputs.Select(c => c.Field), .. outputs.Select(c => c.Field)]);

        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(requestId, (IReadOnlyCollection<string>)rows.Select(r => r.Entry.RequestId).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<long>(row, rows.Select(r => (long)r.Row).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<long>(timestamp, rows.Select(r => r.Entry.Timestamp).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(model, (IReadOnlyCollection<string>)rows.Select(r => r.Entry.Model).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(version, (IReadOnlyCollection<string>)rows.Select(r => r.Entry.Version).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(protocol, (IReadOnlyCollection<string>)rows.Select(r => r.Entry.Protocol).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<double>(latency, rows.Select(r => r.Entry.LatencyMs).ToArray()).ConfigureAwait(false);
        foreach (var column in inputs.Concat(outputs)) await column.Write(group).ConfigureAwait(false);
    }

    private sealed record Column(DataField Field, Func<ParquetRowGroupWriter, Task> Write);

    private static List<Column> Columns(string prefix, IEnumerable<IReadOnlyDictionary<string, object?>?> source)
    {
        var values = source.ToList();
        var names = values.Where(v => v is not null).SelectMany(v => v!.Keys).Distinct().ToList();
        var columns = new List<Column>();
        foreach (var name in names)
        {
            var cells = values.Select(v => v is not null && v.TryGetValue(name, out var x) ? Unwrap(x) : null).ToList();
            var present = cells.Where(c => c is not null).ToList();
            if (present.All(c => c is double))
            {
                var field = new DataField<double?>(prefix + name);
                var data = cells.Select(c => (double?)c).ToArray();
                columns.Add(new Column(field, g => g.WriteAsync<double>(field, data)));
            }
            else if (present.All(c => c is bool))
            {
                var field = new DataField<bool?>(prefix + name);
                var data = cells.Select(c => (bool?)c).ToArray();
                columns.Add(new Column(field, g => g.WriteAsync<bool>(field, data)));
            }
            else
            {
                var field = new DataField<string>(prefix + name);
                var data = cells.Select(c => c as string ?? (c is null ? null : JsonSerializer.Serialize(c))).ToArray();
                columns.Add(new Column(field, g => g.WriteAsync(field, (IReadOnlyCollection<string>)data!)));
            }
        }
        return columns;
    }

    /// <summary>Numbers become doubles, JSON scalars their .NET value; everything else stays as it is.</summary>
    private static object? Unwrap(object? value) => value switch
    {
        null => null,
        float f => (double)f,
        double d => d,
        int i => (double)i,
        long l => (double)l,
        uint u => (double)u,
        bool or string => value,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        _ => value,
    };
}
