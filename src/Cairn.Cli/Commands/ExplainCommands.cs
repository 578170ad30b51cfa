using System.CommandLine;
using System.Globalization;
using Cairn.Data;
using Cairn.Models.Explain;
using Cairn.Quality.Explanations;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn explain</c> (SHAP values of rows) and <c>cairn models explain-global</c> (a version's stored feature importance).</summary>
internal static class ExplainCommands
{
    private static Option<string?> Background() => new("--background")
    {
        Description = "Rows standing for \"feature unknown\": a .csv, .parquet or .json file, or data:/<name>@<version>. Default: the version's training data (from its lineage).",
    };

    private static Option<string?> Method() => new("--method")
    {
        Description = "tree_interventional, tree_path_dependent or kernel (default: TreeSHAP for tree ensembles, KernelSHAP otherwise).",
    };

    private static Option<int> Samples() => new("--samples") { Description = "KernelSHAP: coalitions per row (every one when 2^features - 2 is fewer).", DefaultValueFactory = _ => 2048 };
    private static Option<int> Seed() => new("--seed") { Description = "Seed of coalition sampling and background subsampling.", DefaultValueFactory = _ => 0 };
    private static Option<int?> Target() => new("--target")
    {
        Description = "The class (multiclass classifier) or target (multi-output regressor) index explained; default: the single output, or a binary classifier's positive class.",
    };

    private static Option<string?> WorkspaceDirectory() => new("--directory", "-C")
    {
        Description = "The folder data:/ versions are resolved in (its git workspace's data cache); default: the current folder.",
    };

    private static Option<int> BackgroundRows() => new("--background-rows") { Description = "Background rows kept (a seeded sample).", DefaultValueFactory = _ => 100 };

    public static Command Explain(TextWriter stdout, TextWriter stderr)
    {
        var model = new Argument<string>("model") { Description = "models:/<name>/<version>, models:/<name>@<alias>, runs:/<run_id>/<path>, or a model package folder." };
        var data = new Option<string>("--data") { Description = "The rows to explain: a .csv, .parquet or .json file, or data:/<name>@<version>.", Required = true };
        var background = Background();
        var method = Method();
        var samples = Samples();
        var seed = Seed();
        var backgroundRows = BackgroundRows();
        var target = Target();
        var directory = WorkspaceDirectory();
        var rows = new Option<int>("--rows") { Description = $"Rows of --data to explain at most (up to {ExplainRows.MaxRows}).", DefaultValueFactory = _ => 100 };
        var outFile = new Option<string?>("--out") { Description = "Write per row the SHAP value of every feature, the base value and the output: a .parquet, .csv or .json file." };
        var top = new Option<int>("--top") { Description = "Features printed per row (the largest |SHAP| first).", DefaultValueFactory = _ => 5 };
        var output = GlobalOptions.Output();
        var command = new Command("explain", "Explain a model's predictions: SHAP values per feature for rows of data.")
            { model, data, background, method, samples, seed, backgroundRows, target, directory, rows, outFile, top, output };
        command.SetAction(async (parse, ct) =>
        {
            var reference = parse.GetValue(model)!;
            var dataLocation = parse.GetValue(data)!;
            var backgroundLocation = parse.GetValue(background);
            var outPath = parse.GetValue(outFile);
            if (outPath is not null && !ExplanationFiles.IsSupported(outPath))
                throw CairnException.InvalidParameter($"--out '{outPath}' names no format Cairn writes explanations in: end it with .parquet, .csv or .json.");
            if (parse.GetValue(top) < 1) throw CairnException.InvalidParameter("--top must be at least 1.");
            var needsStore = !Directory.Exists(reference) || DataUri.IsDataUri(dataLocation) || backgroundLocation is null || DataUri.IsDataUri(backgroundLocation);
            using var client = needsStore ? GlobalOptions.OpenClient(parse) : null;
            var result = await ModelExplaining.ExplainAsync(client, reference, dataLocation, backgroundLocation, Options(parse, method, samples, seed, backgroundRows, target),
                parse.GetValue(rows), workspaceDirectory: parse.GetValue(directory), ct);
            if (result.Data.Truncated)
                stderr.WriteLine($"Explained the first {result.Data.Rows.Count} rows of {result.Data.Source}; pass --rows to explain more (up to {ExplainRows.MaxRows}).");
            if (outPath is not null) await ExplanationFiles.WriteAsync(result.Explanation, outPath, ct);
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, ExplanationFiles.ToJson(result.Explanation));
            else PrintRows(stdout, result, parse.GetValue(top), outPath);
            return 0;
        });
        return command;
    }

    public static Command ExplainGlobal(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version> or models:/<name>@<alias>." };
        var data = new Option<string?>("--data") { Description = "The rows to explain (a sample of --rows of them): a .csv, .parquet or .json file, or data:/<name>@<version>. Default: the background." };
        var background = Background();
        var method = Method();
        var samples = Samples();
        var seed = Seed();
        var backgroundRows = BackgroundRows();
        var target = Target();
        var directory = WorkspaceDirectory();
        var rows = new Option<int>("--rows") { Description = $"Rows explained (a seeded sample; up to {ExplainRows.MaxRows}).", DefaultValueFactory = _ => ModelExplaining.DefaultGlobalRows };
        var output = GlobalOptions.Output();
        var command = new Command("explain-global", "Compute a version's global feature importance (mean |SHAP|), store it with the registry and show it on the model card.")
            { uri, data, background, method, samples, seed, backgroundRows, target, directory, rows, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var global = await ModelExplaining.ExplainGlobalAsync(client, parse.GetValue(uri)!, parse.GetValue(data), parse.GetValue(background),
                Options(parse, method, samples, seed, backgroundRows, target), parse.GetValue(rows), workspaceDirectory: parse.GetValue(directory), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { method = global.Method, link = global.Link, output_name = global.OutputName, base_value = global.BaseValue,
                    rows = global.SampleValues.Count, background_rows = global.BackgroundRows, importance = global.Importance.Select(i => new { feature = i.Feature, mean_abs_shap = i.MeanAbsShap }) });
                return 0;
            }
            stdout.WriteLine($"Feature importance of {global.OutputName} ({global.Method}, {global.Link} link) over {global.SampleValues.Count} rows, against {global.BackgroundRows} background rows:");
            var width = Math.Max("feature".Length, global.Importance.Select(i => i.Feature.Length).DefaultIfEmpty(0).Max());
            stdout.WriteLine($"  {"feature".PadRight(width)}  mean |SHAP|");
            foreach (var f in global.Importance) stdout.WriteLine($"  {f.Feature.PadRight(width)}  {Format(f.MeanAbsShap)}");
            stdout.WriteLine($"Stored with {parse.GetValue(uri)}; `cairn models card` shows it.");
            return 0;
        });
        return command;
    }

    private static ExplainOptions Options(ParseResult parse, Option<string?> method, Option<int> samples, Option<int> seed, Option<int> backgroundRows, Option<int?> target) => new()
    {
        Target = parse.GetValue(target) is { } t && t < 0 ? throw CairnException.InvalidParameter($"--target must be 0 or more, got {t}.") : parse.GetValue(target),
        Method = parse.GetValue(method),
        Samples = parse.GetValue(samples),
        Seed = parse.GetValue(seed),
        MaxBackgroundRows = parse.GetValue(backgroundRows),
    };

    private static void PrintRows(TextWriter stdout, FileExplanation result, int top, string? outPath)
    {
        var e = result.Explanation;
        stdout.WriteLine($"{e.Method} SHAP values of {e.OutputName} ({e.Link} link), base value {Format(e.BaseValue)} over {e.BackgroundRows} background rows{(e.Samples is { } s ? $", {s} coalitions per row" : "")}.");
        for (var r = 0; r < e.Values.Count; r++)
        {
            stdout.WriteLine();
            stdout.WriteLine($"row {r + 1}: {e.OutputName} = {Format(e.Outputs[r])}");
            var order = Enumerable.Range(0, e.Features.Count).OrderByDescending(j => Math.Abs(e.Values[r][j])).ToList();
            var shown = order.Take(top).ToList();
            var width = shown.Max(j => e.Features[j].Length + 3 + Cell(result.Data.Rows[r], e.Features[j]).Length);
            foreach (var j in shown)
            {
                var label = $"{e.Features[j]} = {Cell(result.Data.Rows[r], e.Features[j])}";
                var error = e.StandardErrors is { } errors && errors[r][j] > 0 ? $"  (± {Format(errors[r][j])})" : "";
                stdout.WriteLine($"  {label.PadRight(width)}  {Signed(e.Values[r][j])}{error}");
            }
            if (order.Count > shown.Count)
                stdout.WriteLine($"  {order.Count - shown.Count} other features: {Signed(order.Skip(shown.Count).Sum(j => e.Values[r][j]))}");
        }
        if (outPath is not null) stdout.WriteLine($"\nWrote {e.Values.Count} rows to {outPath}.");
    }

    private static string Cell(IReadOnlyDictionary<string, object?> row, string feature) => row.TryGetValue(feature, out var v) && v is not null
        ? Output.OneLine(v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v.ToString(), 30)
        : "(missing)";

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
    private static string Signed(double value) => (value >= 0 ? "+" : "") + Format(value);
}
