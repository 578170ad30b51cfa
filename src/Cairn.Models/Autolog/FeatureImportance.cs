using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models;

/// <summary>Feature importance of a tree model (split gains per slot) as a CSV and an SVG bar chart.</summary>
public static class FeatureImportance
{
    /// <summary>The CSV artifact: <c>feature,gain</c>, highest gain first, features with no gain left out.</summary>
    public const string CsvFile = "feature_importance.csv";

    /// <summary>The chart artifact.</summary>
    public const string SvgFile = "feature_importance.svg";

    /// <summary>
    /// The slot names of <paramref name="featureColumn"/> (<c>f0</c>, <c>f1</c>... where the schema has none)
    /// paired with <paramref name="gains"/>, positive gains only, highest first.
    /// </summary>
    public static IReadOnlyList<(string Feature, double Gain)> Rank(DataViewSchema featurizedSchema, string featureColumn, VBuffer<float> gains)
    {
        var values = gains.DenseValues().ToArray();
        var names = new string[values.Length];
        var column = featurizedSchema.GetColumnOrNull(featureColumn);
        if (column?.HasSlotNames() == true)
        {
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            column.Value.GetSlotNames(ref slotNames);
            var i = 0;
            foreach (var name in slotNames.DenseValues())
                if (i < names.Length) names[i++] = name.ToString(); // ToString copies: the buffer is reused
        }
        return values.Select((gain, i) => (Feature: string.IsNullOrEmpty(names[i]) ? $"f{i}" : names[i], Gain: (double)gain))
            .Where(f => f.Gain > 0).OrderByDescending(f => f.Gain).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
    }

    /// <summary>The ranking as CSV (RFC 4180 quoting: slot names may hold commas or quotes).</summary>
    public static string ToCsv(IReadOnlyList<(string Feature, double Gain)> ranking)
    {
        var csv = new StringBuilder("feature,gain\n");
        foreach (var (feature, gain) in ranking)
            csv.Append(Quote(feature)).Append(',').Append(gain.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return csv.ToString();
    }

    /// <summary>A horizontal bar chart of the first <paramref name="top"/> features, names escaped.</summary>
    public static string ToSvg(IReadOnlyList<(string Feature, double Gain)> ranking, int top)
    {
        const int RowHeight = 20, LabelWidth = 240, BarWidth = 400, Margin = 10;
        var shown = ranking.Take(Math.Max(1, top)).ToList();
        var max = shown.Count == 0 ? 1 : shown.Max(f => f.Gain);
        var height = Margin * 2 + RowHeight * (shown.Count + 1);
        var width = Margin * 2 + LabelWidth + BarWidth + 80;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"{Margin + 12}\" font-weight=\"bold\">Feature importance (split gain)</text>\n");
        for (var i = 0; i < shown.Count; i++)
        {
            var (feature, gain) = shown[i];
            var y = Margin + RowHeight * (i + 1);
            var bar = Math.Max(1, gain / max * BarWidth);
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Margin + LabelWidth - 6}\" y=\"{y + 14}\" text-anchor=\"end\">{Escape(Shorten(feature))}</text>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Margin + LabelWidth}\" y=\"{y + 3}\" width=\"{bar:F1}\" height=\"{RowHeight - 6}\" fill=\"#4c78a8\"><title>{Escape(feature)}: {gain:G6}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin + LabelWidth + bar + 4:F1}\" y=\"{y + 14}\">{gain:G4}</text>\n");
        }
        if (shown.Count == 0) svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"{Margin + RowHeight + 14}\">No split gained anything.</text>\n");
        return svg.Append("</svg>\n").ToString();
    }

    private static string Shorten(string name) => name.Length <= 36 ? name : name[..35] + "…";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
