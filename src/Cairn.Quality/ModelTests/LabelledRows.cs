using System.Globalization;
using System.Runtime.CompilerServices;
using Cairn.Models;
using Cairn.Quality.Tables;

namespace Cairn.Quality.ModelTests;

/// <summary>A batch of dataset rows as model inputs, with each row's label (null when missing) and the value of an extra column.</summary>
internal sealed record InputBatch(List<IReadOnlyDictionary<string, object?>> Rows, bool?[] Labels, string?[] Extra);

/// <summary>
/// Reads a labelled dataset in batches and turns each row into the model's inputs: an input reads
/// the column the dataset spec maps it to, a part of a timestamp column (<c>date.hour</c>), or the
/// column of its own name (ignoring case).
/// </summary>
internal sealed class LabelledRows
{
    private static readonly string[] TimestampParts = ["year", "month", "day", "hour", "minute", "day_of_week", "day_of_year"];

    private readonly DatasetSpec _spec;
    private readonly ModelSignature _signature;
    private readonly string _source;

    public LabelledRows(DatasetSpec spec, ModelSignature signature, string source)
    {
        _spec = spec;
        _signature = signature;
        _source = source;
    }

    private sealed record InputColumn(ColumnSpec Input, int Field, string? Part);

    /// <param name="extraColumn">A dataset column (or model input) whose text is returned beside each row, such as the slice key.</param>
    /// <param name="needLabels">Whether the spec must name a label.</param>
    public async IAsyncEnumerable<InputBatch> ReadAsync(DataSource data, string? extraColumn, bool needLabels, int? maxRows, int line, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var reader = await data.OpenAsync(ct).ConfigureAwait(false);
        var fields = reader.Fields;
        var inputs = _signature.Inputs.Select(i => Bind(i, fields, reader.Source)).ToList();
        var labelField = -1;
        if (needLabels)
        {
            var label = _spec.Label ?? throw CairnException.InvalidParameter($"{_source} line {_spec.Line}: the dataset has no 'label': name the column that says which rows are positive.");
            labelField = Field(fields, label.Column, exact: true) ?? throw UnknownColumn(label.Column, reader, _spec.Line);
        }
        int? extraField = null;
        InputColumn? extraInput = null;
        if (extraColumn is not null)
        {
            extraField = Field(fields, extraColumn, exact: true);
            extraInput = extraField is null ? inputs.FirstOrDefault(i => i.Input.Name == extraColumn) : null;
            if (extraField is null && extraInput is null) throw UnknownColumn(extraColumn, reader, line);
        }
        var read = inputs.Select(i => i.Field).Append(labelField).Append(extraField ?? -1).Where(f => f >= 0).ToHashSet();
        long rowNumber = 0;
        var left = maxRows ?? int.MaxValue;
        await foreach (var batch in reader.ReadAsync(read, ct).ConfigureAwait(false))
        {
            var count = Math.Min(batch.RowCount, left);
            var rows = new List<IReadOnlyDictionary<string, object?>>(count);
            var labels = new bool?[count];
            var extra = new string?[count];
            for (var i = 0; i < count; i++)
            {
                rowNumber++;
                var row = new Dictionary<string, object?>(inputs.Count, StringComparer.Ordinal);
                foreach (var input in inputs) row[input.Input.Name] = Value(batch[input.Field], i, input, reader.Source, rowNumber);
                rows.Add(row);
                if (labelField >= 0) labels[i] = Label(batch[labelField], i);
                if (extraField is { } f) extra[i] = batch[f].GetText(i);
                else if (extraInput is not null) extra[i] = System.Convert.ToString(row[extraInput.Input.Name], CultureInfo.InvariantCulture);
            }
            yield return new InputBatch(rows, labels, extra);
            left -= count;
            if (left <= 0) yield break;
        }
    }

    private InputColumn Bind(ColumnSpec input, IReadOnlyList<TableField> fields, string data)
    {
        if (_spec.Inputs.TryGetValue(input.Name, out var mapped))
        {
            if (Field(fields, mapped, exact: true) is { } exactField) return new InputColumn(input, exactField, null);
            var dot = mapped.LastIndexOf('.');
            if (dot > 0 && TimestampParts.Contains(mapped[(dot + 1)..]) && Field(fields, mapped[..dot], exact: true) is { } timeField)
                return new InputColumn(input, timeField, mapped[(dot + 1)..]);
            throw CairnException.InvalidParameter($"{_source} line {_spec.Line}: the input '{input.Name}' is mapped to '{mapped}', which is neither a column of {data} " +
                $"nor <timestamp column>.<part> with part one of {string.Join(", ", TimestampParts)} (its columns: {string.Join(", ", fields.Select(f => f.Name))}).");
        }
        return Field(fields, input.Name, exact: false) is { } field
            ? new InputColumn(input, field, null)
            : throw CairnException.InvalidParameter($"{_source} line {_spec.Line}: the model input '{input.Name}' has no column in {data} (its columns: {string.Join(", ", fields.Select(f => f.Name))}); " +
                $"map it under dataset.inputs, e.g. {input.Name}: <column> or {input.Name}: <timestamp column>.hour.");
    }

    private static int? Field(IReadOnlyList<TableField> fields, string name, bool exact)
    {
        var index = fields.IndexOf(name);
        if (index >= 0) return index;
        if (exact) return null;
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return i;
        return null;
    }

    private CairnException UnknownColumn(string column, ITableReader reader, int line) =>
        CairnException.InvalidParameter($"{_source} line {line}: '{column}' is not a column of {reader.Source} (its columns: {string.Join(", ", reader.Fields.Select(f => f.Name))}).");

    private static object? Value(ColumnValues values, int i, InputColumn column, string data, long row)
    {
        var input = column.Input;
        if (column.Part is { } part)
        {
            if (!values.TryGetTimestamp(i, out var t))
                return values.IsMissing(i) ? InputTyping.FromNumber(double.NaN, input)
                    : throw CairnException.InvalidParameter($"{data} row {row}: '{values.GetText(i)}' is not a timestamp, so its {part} cannot feed the input '{input.Name}'.");
            var utc = t.UtcDateTime;
            double number = part switch
            {
                "year" => utc.Year,
                "month" => utc.Month,
                "day" => utc.Day,
                "hour" => utc.Hour,
                "minute" => utc.Minute,
                "day_of_week" => (int)utc.DayOfWeek,
                _ => utc.DayOfYear,
            };
            return InputTyping.FromNumber(number, input);
        }
        if (InputTyping.IsNumeric(input))
        {
            if (values.TryGetNumber(i, out var number)) return InputTyping.FromNumber(number, input);
            return values.IsMissing(i) ? InputTyping.FromNumber(double.NaN, input)
                : throw CairnException.InvalidParameter($"{data} row {row}: the input '{input.Name}' is '{values.GetText(i)}', not a number.");
        }
        var text = values.GetText(i) ?? "";
        return InputTyping.Convert(text, input, out var error)
            ?? throw CairnException.InvalidParameter($"{data} row {row}: the input '{input.Name}': {error}.");
    }

    private bool? Label(ColumnValues values, int i)
    {
        if (values.IsMissing(i)) return null;
        var spec = _spec.Label!;
        if (spec.EqualTo is { } equal) return string.Equals(values.GetText(i), equal, StringComparison.Ordinal);
        if (values.TryGetNumber(i, out var number)) return spec.Above is { } above ? number > above : number != 0;
        var text = values.GetText(i);
        if (spec.Above is null && bool.TryParse(text, out var b)) return b;
        return null;
    }
}
