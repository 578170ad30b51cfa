using System.Globalization;
using System.Text.Json;
using Cairn.Data;
using Cairn.Quality.Tables;

namespace Cairn.Pipelines.Steps;

/// <summary>A row filter on one numeric column: <c>month=1-2</c>, <c>month=3</c>, or several ranges <c>month=1-2,3</c>.</summary>
public sealed record RowFilter(string Column, IReadOnlyList<(double Low, double High)> Ranges)
{
    public bool Matches(double value) => Ranges.Any(r => value >= r.Low && value <= r.High);

    public override string ToString() =>
        $"{Column}={string.Join(",", Ranges.Select(r => r.Low == r.High ? StepRunLog.Format(r.Low) : $"{StepRunLog.Format(r.Low)}-{StepRunLog.Format(r.High)}"))}";
}

/// <summary>Reading and checking the <c>with:</c> arguments of built-in steps; every error names the step and the argument.</summary>
internal static class StepArgs
{
    public static StepFailedException Invalid(StepContext context, string argument, string problem) =>
        new($"step '{context.StepName}': with.{argument} {problem}");

    /// <summary>Refuses arguments the step does not know (a typo would otherwise be silently ignored).</summary>
    public static void RequireKnown(StepContext context, string kind, params string[] known)
    {
        foreach (var key in context.With.Keys)
            if (!known.Contains(key, StringComparer.Ordinal))
                throw new StepFailedException($"step '{context.StepName}': 'with.{key}' is not an argument of uses: {kind}; its arguments are {string.Join(", ", known)}.");
    }

    public static IReadOnlyList<string> List(string? text) =>
        text is null ? [] : text.StartsWith('[') ? JsonList(text) : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<string> JsonList(string json) =>
        JsonSerializer.Deserialize<List<JsonElement>>(json)!.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();

    public static bool Bool(StepContext context, string name, bool fallback) => context.Optional(name) switch
    {
        null => fallback,
        "true" or "yes" => true,
        "false" or "no" => false,
        var other => throw Invalid(context, name, $"is '{other}': write true or false."),
    };

    public static double Number(StepContext context, string name, double fallback) =>
        context.Optional(name) is not { } text ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw Invalid(context, name, $"is '{text}': write a number.");

    public static RowFilter? Filter(StepContext context, string name)
    {
        if (context.Optional(name) is not { } text) return null;
        var eq = text.IndexOf('=');
        var bad = Invalid(context, name, $"is '{text}': write column=range, such as month=1-2, month=3 or month=1-2,4.");
        if (eq <= 0) throw bad;
        var column = text[..eq].Trim();
        var ranges = new List<(double, double)>();
        foreach (var part in text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1);
            var (low, high) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!double.TryParse(low, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
                || !double.TryParse(high, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || a > b)
                throw bad;
            ranges.Add((a, b));
        }
        return new RowFilter(column, ranges);
    }

    /// <summary>Trainer options: a YAML mapping (which arrives as JSON) or <c>k=v</c> pairs separated by commas.</summary>
    public static IReadOnlyDictionary<string, string> Options(StepContext context, string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Optional(name) is not { } text) return result;
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                foreach (var p in JsonDocument.Parse(text).RootElement.EnumerateObject())
                    result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                return result;
            }
            catch (JsonException e)
            {
                throw Invalid(context, name, $"is not a mapping of options: {e.Message}");
            }
        }
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw Invalid(context, name, $"has '{pair}': write name=value pairs separated by commas, such as NumberOfLeaves=16, LearningRate=0.1.");
            result[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return result;
    }

    /// <summary>
    /// A table argument: a CSV or Parquet file in the workspace, or a dataset version <c>data:/name@N</c>
    /// (read from the data cache of the git workspace holding the pipeline, and recorded as an input of the step's run).
    /// </summary>
    public static async Task<DataSource> TableAsync(StepContext context, string name, string usage, CancellationToken ct)
    {
        var location = context.Require(name);
        try
        {
            if (DataUri.IsDataUri(location))
            {
                var client = StepRunLog.Client(context);
                var source = await DataSource.ResolveAsync(location, client, context.Workspace, ct).ConfigureAwait(false);
                await StepRunLog.InputAsync(context, location, usage, ct).ConfigureAwait(false);
                return source;
            }
            context.WorkspacePath(location); // kept inside the workspace
            return DataSource.FromFile(location, context.Workspace);
        }
        catch (CairnException e)
        {
            throw Invalid(context, name, $"('{location}') cannot be read: {e.Message}");
        }
    }

    /// <summary>One CSV file (what train and evaluate read with ML.NET's text loader).</summary>
    public static async Task<string> CsvFileAsync(StepContext context, string name, string usage, CancellationToken ct)
    {
        var source = await TableAsync(context, name, usage, ct).ConfigureAwait(false);
        if (source.Files.Count != 1 || source.Files[0].IsParquet)
            throw Invalid(context, name, $"('{context.Require(name)}') must be one CSV file; turn Parquet or folders into one with a 'features' step.");
        return source.Files[0].Path;
    }
}
