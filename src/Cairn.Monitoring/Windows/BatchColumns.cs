using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>
/// Copies the kept rows of one column of a batch into reusable buffers, as numbers or texts, so a
/// window is profiled batch by batch without a value object per cell.
/// </summary>
internal sealed class BatchColumns
{
    private double[] _numbers = new double[8192];
    private string?[] _texts = new string?[8192];

    /// <param name="rows">The rows to copy, or null for every row of the batch.</param>
    public void Copy(MonitoredColumn column, ColumnValues values, int[]? rows, int count, IColumnSink sink)
    {
        if (column.Kind == MonitoredKind.Numeric)
        {
            if (_numbers.Length < count) _numbers = new double[count];
            // Values that are present but not numbers are counted, not passed on as missing.
            var violations = 0;
            var kept = 0;
            for (var i = 0; i < count; i++)
            {
                var row = rows is null ? i : rows[i];
                if (values.TryGetNumber(row, out var number)) _numbers[kept++] = number;
                else if (values.IsMissing(row)) _numbers[kept++] = double.NaN;
                else violations++;
            }
            sink.AddNumbers(column.Name, _numbers.AsSpan(0, kept), violations);
        }
        else
        {
            if (_texts.Length < count) _texts = new string?[count];
            for (var i = 0; i < count; i++) _texts[i] = values.GetText(rows is null ? i : rows[i]);
            sink.AddTexts(column.Name, _texts.AsSpan(0, count));
            Array.Clear(_texts, 0, count);
        }
    }
}
