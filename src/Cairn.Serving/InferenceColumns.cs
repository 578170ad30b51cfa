using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Cairn.Serving;

/// <summary>
/// Writes a batch of logged rows as one Parquet row group, one row per scored row. Each input and
/// output gets a typed column (double when every value is a number, bool when every value is a
/// boolean, string otherwise), which is what drift and data-quality checks read.
/// </summary>
internal static class InferenceColumns
{
    /// <param name="rows">The batch rows to write, or null for all of them.</param>
    public static async Task WriteAsync(InferenceBatch batch, int[]? rows, Stream stream)
    {
        var index = rows ?? Enumerable.Range(0, batch.Count).ToArray();
        var requestId = new DataField<string>("request_id");
        var row = new DataField<long>("row");
        var timestamp = new DataField<long>("timestamp");
        var model = new DataField<string>("model");
        var version = new DataField<string>("version");
        var protocol = new DataField<string>("protocol");
        var variant = new DataField<string>("variant");
        var latency = new DataField<double>("latency_ms");
        var cells = batch.InputNames.Select((name, c) => Column("input_" + name, batch.Inputs[c], index))
            .Concat(batch.OutputNames.Select((name, c) => Column("output_" + name, batch.Outputs[c], index))).ToList();
        var schema = new ParquetSchema([requestId, row, timestamp, model, version, variant, protocol, latency, .. cells.Select(c => c.Field)]);

        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(requestId, (IReadOnlyCollection<string>)index.Select(i => batch.RequestIds[i]).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<long>(row, index.Select(i => batch.RowInRequest[i]).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<long>(timestamp, index.Select(i => batch.Timestamps[i]).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(model, (IReadOnlyCollection<string>)Enumerable.Repeat(batch.Model, index.Length).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(version, (IReadOnlyCollection<string>)Enumerable.Repeat(batch.Version, index.Length).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(variant, (IReadOnlyCollection<string?>)Enumerable.Repeat(batch.Variant, index.Length).ToArray()).ConfigureAwait(false);
        await group.WriteAsync(protocol, (IReadOnlyCollection<string>)Enumerable.Repeat(batch.Protocol, index.Length).ToArray()).ConfigureAwait(false);
        await group.WriteAsync<double>(latency, index.Select(i => batch.LatencyMs[i]).ToArray()).ConfigureAwait(false);
        foreach (var cell in cells) await cell.Write(group).ConfigureAwait(false);
    }

    private sealed record Cells(DataField Field, Func<ParquetRowGroupWriter, Task> Write);

    private static Cells Column(string name, CellColumn column, int[] index)
    {
        var kinds = index.Select(i => column.Kinds[i]).Where(k => k != CellColumn.Null).Distinct().ToList();
        if (kinds is [CellColumn.Number] or [])
        {
            var field = new DataField<double?>(name);
            var data = index.Select(i => column.Kinds[i] == CellColumn.Null ? (double?)null : column.Numbers[i]).ToArray();
            return new Cells(field, g => g.WriteAsync<double>(field, data));
        }
        if (kinds is [CellColumn.Boolean])
        {
            var field = new DataField<bool?>(name);
            var data = index.Select(i => column.Kinds[i] == CellColumn.Null ? (bool?)null : column.Numbers[i] != 0).ToArray();
            return new Cells(field, g => g.WriteAsync<bool>(field, data));
        }
        var text = new DataField<string>(name);
        var texts = index.Select(i => column.Kinds[i] switch
        {
            CellColumn.Null => null,
            CellColumn.Number => column.Numbers[i].ToString("R", CultureInfo.InvariantCulture),
            CellColumn.Boolean => column.Numbers[i] != 0 ? "true" : "false",
            _ => column.Texts[i],
        }).ToArray();
        return new Cells(text, g => g.WriteAsync(text, (IReadOnlyCollection<string>)texts!));
    }
}
