using System.Globalization;
using System.Text;

namespace Cairn.Models;

/// <summary>A model card in markdown, generated from the registry, the run and the package.</summary>
public static class ModelCard
{
    public static string Render(ModelLineage lineage, string? inputExample)
    {
        var v = lineage.Version;
        var sb = new StringBuilder();
        sb.AppendLine($"# {v.Name}, version {v.Version}");
        sb.AppendLine();
        sb.AppendLine("## Intended use");
        sb.AppendLine();
        sb.AppendLine(string.IsNullOrWhiteSpace(v.Description) ? "_No description given. Add one with `cairn models describe`._" : v.Description);
        sb.AppendLine();
        sb.AppendLine("## Provenance");
        sb.AppendLine();
        sb.AppendLine($"| | |\n| --- | --- |");
        sb.AppendLine($"| registered | {Time(v.CreationTimestamp)} by {v.UserId ?? "unknown"} |");
        sb.AppendLine($"| source | `{v.Source}` |");
        if (lineage.Run is { } run)
        {
            sb.AppendLine($"| run | `{run.Info.RunId}` ({run.Info.RunName}, experiment {lineage.ExperimentName ?? run.Info.ExperimentId}, {run.Info.Status.ToString().ToUpperInvariant()}) |");
            sb.AppendLine($"| git commit | {lineage.Tag(RunContext.GitCommit) ?? "not recorded"}{(lineage.Tag(RunContext.GitDirty) == "true" ? " (with uncommitted changes)" : "")} |");
        }
        sb.AppendLine($"| datasets | {(lineage.DataInputs.Count == 0 ? "none recorded" : string.Join(", ", lineage.DataInputs))} |");
        sb.AppendLine($"| flavors | {string.Join(", ", lineage.Manifest?.Flavors ?? [])} |");
        sb.AppendLine($"| aliases | {(v.Aliases.Count == 0 ? "none" : string.Join(", ", v.Aliases))} |");
        sb.AppendLine();
        if (lineage.Run is { } r)
        {
            sb.AppendLine("## Metrics");
            sb.AppendLine();
            sb.AppendLine("| metric | value | step |\n| --- | --- | --- |");
            foreach (var m in r.Data.Metrics.OrderBy(m => m.Key)) sb.AppendLine($"| {m.Key} | {m.Value.ToString("G6", CultureInfo.InvariantCulture)} | {m.Step} |");
            sb.AppendLine();
            sb.AppendLine("## Parameters");
            sb.AppendLine();
            sb.AppendLine("| param | value |\n| --- | --- |");
            foreach (var p in r.Data.Params.OrderBy(p => p.Key)) sb.AppendLine($"| {p.Key} | {p.Value} |");
            sb.AppendLine();
        }
        if (lineage.Manifest?.Signature is { } signature)
        {
            sb.AppendLine("## Signature");
            sb.AppendLine();
            sb.AppendLine("| direction | name | type |\n| --- | --- | --- |");
            foreach (var c in signature.Inputs) sb.AppendLine($"| input | {c.Name} | {Describe(c)} |");
            foreach (var c in signature.Outputs) sb.AppendLine($"| output | {c.Name} | {Describe(c)} |");
            sb.AppendLine();
        }
        if (inputExample is not null)
        {
            sb.AppendLine("## Input example");
            sb.AppendLine();
            sb.AppendLine("```json");
            sb.AppendLine(inputExample.Trim());
            sb.AppendLine("```");
        }
        return sb.ToString();
    }

    private static string Describe(ColumnSpec c) => c.IsTensor ? $"tensor {c.TensorType} [{string.Join(", ", c.Shape ?? [])}]" : c.Type;

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
