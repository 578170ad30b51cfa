using System.Globalization;
using System.Text;

namespace Cairn.Models;

/// <summary>
/// A model card in markdown, generated from the registry, the run and the package. The
/// description is the author's markdown; every other value is quoted as text (<see cref="Text"/>)
/// or code (<see cref="Code"/>), so that no value can add a link, a heading or a table cell.
/// </summary>
public static class ModelCard
{
    /// <summary>The card's markdown for a version's lineage.</summary>
    /// <param name="lineage">The version, its run, data inputs and registry history.</param>
    /// <param name="inputExample">The package's input example JSON, shown as code; null to leave it out.</param>
    /// <param name="explanation">The version's stored global explanation, shown as a feature importance table; null to leave it out.</param>
    public static string Render(ModelLineage lineage, string? inputExample, Explain.GlobalExplanation? explanation = null)
    {
        var v = lineage.Version;
        var sb = new StringBuilder();
        sb.AppendLine($"# {Text(v.Name)}, version {Text(v.Version)}");
        sb.AppendLine();
        sb.AppendLine("## Intended use");
        sb.AppendLine();
        sb.AppendLine(string.IsNullOrWhiteSpace(v.Description) ? "_No description given. Add one with `cairn models describe`._" : v.Description);
        sb.AppendLine();
        sb.AppendLine("## Provenance");
        sb.AppendLine();
        sb.AppendLine($"| | |\n| --- | --- |");
        sb.AppendLine($"| registered | {Time(v.CreationTimestamp)} by {Text(v.UserId ?? "unknown")} |");
        sb.AppendLine($"| source | {Code(v.Source)} |");
        if (lineage.Run is { } run)
        {
            sb.AppendLine($"| run | {Code(run.Info.RunId)} ({Text(run.Info.RunName)}, experiment {Text(lineage.ExperimentName ?? run.Info.ExperimentId)}, {run.Info.Status.ToString().ToUpperInvariant()}) |");
            sb.AppendLine($"| git commit | {Text(lineage.Tag(RunContext.GitCommit) ?? "not recorded")}{(lineage.Tag(RunContext.GitDirty) == "true" ? " (with uncommitted changes)" : "")} |");
        }
        sb.AppendLine($"| datasets | {(lineage.DataInputs.Count == 0 ? "none recorded" : Text(string.Join(", ", lineage.DataInputs)))} |");
        if (lineage.FeatureViews.Count > 0)
            sb.AppendLine($"| feature views | {Text(string.Join(", ", lineage.FeatureViews))} |");
        sb.AppendLine($"| flavors | {Text(string.Join(", ", lineage.Manifest?.Flavors ?? []))} |");
        sb.AppendLine($"| aliases | {(v.Aliases.Count == 0 ? "none" : Text(string.Join(", ", v.Aliases)))} |");
        sb.AppendLine();
        if (lineage.Run is { } r)
        {
            sb.AppendLine("## Metrics");
            sb.AppendLine();
            sb.AppendLine("| metric | value | step |\n| --- | --- | --- |");
            foreach (var m in r.Data.Metrics.OrderBy(m => m.Key)) sb.AppendLine($"| {Text(m.Key)} | {m.Value.ToString("G6", CultureInfo.InvariantCulture)} | {m.Step} |");
            sb.AppendLine();
            sb.AppendLine("## Parameters");
            sb.AppendLine();
            sb.AppendLine("| param | value |\n| --- | --- |");
            foreach (var p in r.Data.Params.OrderBy(p => p.Key)) sb.AppendLine($"| {Text(p.Key)} | {Text(p.Value)} |");
            sb.AppendLine();
        }
        if (lineage.Manifest?.Signature is { } signature)
        {
            sb.AppendLine("## Signature");
            sb.AppendLine();
            sb.AppendLine("| direction | name | type |\n| --- | --- | --- |");
            foreach (var c in signature.Inputs) sb.AppendLine($"| input | {Text(c.Name)} | {Text(Describe(c))} |");
            foreach (var c in signature.Outputs) sb.AppendLine($"| output | {Text(c.Name)} | {Text(Describe(c))} |");
            sb.AppendLine();
        }
        if (explanation is not null) AppendImportance(sb, explanation);
        if (inputExample is not null)
        {
            sb.AppendLine("## Input example");
            sb.AppendLine();
            // A fence longer than any run of backticks in the example, so the example cannot close it.
            var fence = new string('`', Math.Max(3, LongestBacktickRun(inputExample) + 1));
            sb.AppendLine(fence + "json");
            sb.AppendLine(inputExample.Trim());
            sb.AppendLine(fence);
        }
        return sb.ToString();
    }

    private static void AppendImportance(StringBuilder sb, Explain.GlobalExplanation explanation)
    {
        sb.AppendLine("## Feature importance");
        sb.AppendLine();
        sb.AppendLine($"Mean absolute SHAP value of {Text(explanation.OutputName)} ({Text(explanation.Method)}, {Text(explanation.Link)} link) over " +
            $"{explanation.SampleValues.Count} rows, against {explanation.BackgroundRows} background rows; base value {Number(explanation.BaseValue)}.");
        sb.AppendLine();
        sb.AppendLine("| feature | mean \\|SHAP\\| |\n| --- | --- |");
        foreach (var f in explanation.Importance) sb.AppendLine($"| {Text(f.Feature)} | {Number(f.MeanAbsShap)} |");
        sb.AppendLine();
    }

    private static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>
    /// A value as literal text on one line: the characters markdown gives a meaning inline
    /// (links, emphasis, code, HTML, entities, table cells) are backslash-escaped. An underscore
    /// between letters or digits cannot start emphasis, so learning_rate stays as it is.
    /// </summary>
    public static string Text(string value)
    {
        var line = OneLine(value);
        var sb = new StringBuilder(line.Length + 8);
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            var intraword = c == '_' && i > 0 && i < line.Length - 1 && char.IsLetterOrDigit(line[i - 1]) && char.IsLetterOrDigit(line[i + 1]);
            if ((c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '!' or '&' or '|' or '~') && !intraword) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// A value as one code span on one line: the fence is longer than any run of backticks inside,
    /// so nothing inside can close it (a pipe in a code span stays in its table cell).
    /// </summary>
    public static string Code(string value)
    {
        var text = OneLine(value);
        var fence = new string('`', LongestBacktickRun(text) + 1);
        var pad = text.StartsWith('`') || text.EndsWith('`') ? " " : "";
        return fence + pad + text + pad + fence;
    }

    private static string OneLine(string value) => value.ReplaceLineEndings(" ");

    private static int LongestBacktickRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    private static string Describe(ColumnSpec c) => c.IsTensor ? $"tensor {c.TensorType} [{string.Join(", ", c.Shape ?? [])}]" : c.Type;

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
