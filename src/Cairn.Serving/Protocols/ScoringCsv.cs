using System.Text;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>
/// CSV scoring input (RFC 4180: quoted fields, doubled quotes, CRLF or LF). The first row is a
/// header unless it reads as data: it names none of the signature's inputs, has one cell per
/// input, and every cell parses as its input's type. Then every row is data, its values in the
/// signature's input order (what SageMaker batch transform sends: CSV without a header row).
/// MLflow's own server reads the first row as a header whatever it holds, so such a body is a
/// 400 there ("Model is missing inputs").
/// </summary>
public static class ScoringCsv
{
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Read(string text, ModelSignature signature)
    {
        var records = Parse(text);
        if (records.Count == 0) throw CairnException.InvalidParameter("The CSV body is empty: send a header row and one row per prediction, or one row per prediction in the signature's column order.");
        var types = signature.Inputs.ToDictionary(c => c.Name, c => c.Type);
        List<string> header;
        int first;
        if (IsData(records[0], signature))
        {
            header = signature.Inputs.Select(c => c.Name).ToList();
            first = 0;
        }
        else
        {
            header = records[0].Select(h => h.Trim()).ToList();
            var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) throw CairnException.InvalidParameter($"The CSV header names column '{duplicate.Key}' more than once: each column must be named once.");
            first = 1;
        }
        var rows = new List<IReadOnlyDictionary<string, object?>>(records.Count - first);
        for (var i = first; i < records.Count; i++)
        {
            var cells = records[i];
            if (cells.Count != header.Count) throw CairnException.InvalidParameter($"CSV row {i} has {cells.Count} values for {header.Count} columns.");
            var row = new Dictionary<string, object?>(header.Count, StringComparer.Ordinal);
            for (var c = 0; c < header.Count; c++)
            {
                var type = types.GetValueOrDefault(header[c]);
                var cell = cells[c].Trim();
                row[header[c]] = ScoringInput.TryParse(cell, type, out var value) ? value
                    : throw CairnException.InvalidParameter($"Invalid value for input '{header[c]}' in CSV row {i}: expected {(type == "boolean" ? "true or false" : "a number")}, got \"{cell}\".");
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>A first row that is data, not a header: no cell names an input, one cell per input, each of its input's type.</summary>
    private static bool IsData(IReadOnlyList<string> first, ModelSignature signature)
    {
        var inputs = signature.Inputs;
        if (inputs.Count == 0 || first.Count != inputs.Count) return false;
        var names = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (first.Any(cell => names.Contains(cell.Trim()))) return false;
        return first.Select((cell, i) => ScoringInput.TryParse(cell.Trim(), inputs[i].Type, out _)).All(ok => ok);
    }

    /// <summary>Records of cells; blank lines are skipped.</summary>
    internal static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        var any = false; // the record has content (a blank line has none)
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') cell.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    record.Add(cell.ToString());
                    cell.Clear();
                    any = true;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r':
                    End();
                    break;
                default:
                    cell.Append(c);
                    any = true;
                    break;
            }
        }
        if (quoted) throw CairnException.InvalidParameter("The CSV body ends inside a quoted value: close it with a double quote.");
        End();
        return records;

        void End()
        {
            if (any)
            {
                record.Add(cell.ToString());
                records.Add(record);
                record = [];
            }
            cell.Clear();
            any = false;
        }
    }
}
