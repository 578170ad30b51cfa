using System.Globalization;
using System.Text;

namespace Cairn.Monitoring;

/// <summary>
/// Ground-truth labels from a CSV file with a header: <c>request_id</c> and <c>label</c>, and
/// optionally <c>row</c> (default 0) and <c>timestamp</c> (ms since the epoch; default now), in
/// any order. Read as a stream of batches, so a file of any size is sent without holding it whole.
/// </summary>
public static class FeedbackCsv
{
    public static readonly IReadOnlyList<string> Columns = ["request_id", "label", "row", "timestamp"];

    /// <summary>The labels in batches of at most <paramref name="batchSize"/>.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the line, thrown when the enumeration reaches a bad row (batches before it were already yielded).</exception>
    public static IEnumerable<IReadOnlyList<FeedbackLabel>> ReadBatches(TextReader reader, string source, long now, int batchSize = MonitorRecordRules.MaxFeedbackPerCall)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var header = reader.ReadLine() ?? throw CairnException.InvalidParameter($"{source} is empty: the first line is the header, request_id,label[,row].");
        var names = Split(header.TrimStart('\uFEFF'), source, 1).Select(n => n.Trim().ToLowerInvariant()).ToList();
        foreach (var name in names)
            if (!Columns.Contains(name))
                throw CairnException.InvalidParameter($"{source} line 1: unknown column '{name}'; the columns are request_id, label and optionally row and timestamp.");
        if (names.Distinct().Count() != names.Count)
            throw CairnException.InvalidParameter($"{source} line 1: a column is named twice.");
        var requestId = names.IndexOf("request_id");
        var label = names.IndexOf("label");
        var row = names.IndexOf("row");
        var timestamp = names.IndexOf("timestamp");
        if (requestId < 0 || label < 0)
            throw CairnException.InvalidParameter($"{source} line 1: the header needs request_id and label columns, such as request_id,label,row.");

        var batch = new List<FeedbackLabel>(Math.Min(batchSize, 1024));
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var fields = Split(line, source, lineNumber);
            if (fields.Count != names.Count)
                throw Bad(source, lineNumber, $"{fields.Count} fields, but the header has {names.Count}");
            var id = fields[requestId];
            if (string.IsNullOrWhiteSpace(id) || id.Length > MonitorRecordRules.MaxRequestIdLength || id.Any(char.IsControl))
                throw Bad(source, lineNumber, $"the request id must be 1 to {MonitorRecordRules.MaxRequestIdLength} printable characters");
            if (!double.TryParse(fields[label], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw Bad(source, lineNumber, $"the label '{fields[label]}' is not a finite number");
            var rowIndex = 0;
            if (row >= 0 && fields[row].Length > 0 && (!int.TryParse(fields[row], NumberStyles.None, CultureInfo.InvariantCulture, out rowIndex)))
                throw Bad(source, lineNumber, $"the row '{fields[row]}' is not a whole number of at least 0");
            var time = now;
            if (timestamp >= 0 && fields[timestamp].Length > 0 && (!long.TryParse(fields[timestamp], NumberStyles.None, CultureInfo.InvariantCulture, out time)))
                throw Bad(source, lineNumber, $"the timestamp '{fields[timestamp]}' is not ms since the epoch");
            batch.Add(new FeedbackLabel(id, rowIndex, value, time));
            if (batch.Count == batchSize)
            {
                yield return batch;
                batch = new List<FeedbackLabel>(Math.Min(batchSize, 1024));
            }
        }
        if (batch.Count > 0) yield return batch;
    }

    private static CairnException Bad(string source, int line, string message) =>
        CairnException.InvalidParameter($"{source} line {line}: {message}.");

    /// <summary>One CSV line: commas, and double quotes around a field that holds commas or quotes ("" for a quote).</summary>
    private static List<string> Split(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c != '\r') field.Append(c);
        }
        if (quoted) throw Bad(source, lineNumber, "a quoted field is not closed (fields cannot span lines)");
        fields.Add(field.ToString());
        return fields;
    }
}
