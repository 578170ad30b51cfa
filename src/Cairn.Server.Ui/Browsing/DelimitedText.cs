using System.Text;

namespace Cairn.Server.Ui.Browsing;

/// <summary>Splits the head of a CSV or TSV file into rows, honouring double-quoted fields (RFC 4180).</summary>
public static class DelimitedText
{
    public static IReadOnlyList<IReadOnlyList<string>> Rows(string text, char separator, int maxRows)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length && rows.Count < maxRows; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == separator) { row.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else field.Append(c);
        }
        if (rows.Count < maxRows && (field.Length > 0 || row.Count > 0))
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }
}
