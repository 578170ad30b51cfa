using System.Globalization;
using System.Text;
using Cairn.Quality.Tables;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: features</c>: turns a table (CSV, Parquet or <c>data:/name@N</c>) into the flat CSV that
/// <c>train</c> and <c>evaluate</c> read: parts of a timestamp, a boolean label from a threshold,
/// and per-key aggregates (<c>origin_late_rate</c>, <c>origin_rows</c>) computed only from the rows
/// of <c>fit</c>, so the months a model is evaluated on do not leak into its features.
/// </summary>
/// <remarks>
/// with: <c>data</c>, <c>output</c> (a CSV path in the workspace), <c>time</c> (a timestamp column:
/// adds hour, day_of_week, month), <c>keep</c> (columns copied), <c>label</c> (<c>late=delay&gt;15</c>),
/// <c>group_by</c> (a key column), <c>fit</c> (rows the aggregates are computed from, e.g. <c>month=1-2</c>),
/// <c>rows</c> (rows written, e.g. <c>month=1-3</c>). Outputs: <c>rows</c>, <c>columns</c>.
/// </remarks>
public sealed class FeaturesStep : IPipelineStep
{
    public const string Kind = "features";
    private static readonly string[] TimeParts = ["hour", "day_of_week", "month"];

    private sealed record Label(string Name, string Column, string Operator, double Threshold)
    {
        public bool Of(double value) => Operator switch
        {
            ">" => value > Threshold,
            ">=" => value >= Threshold,
            "<" => value < Threshold,
            "<=" => value <= Threshold,
            _ => value == Threshold,
        };
    }

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "data", "output", "time", "keep", "label", "group_by", "fit", "rows");
        var output = context.WorkspacePath(context.Require("output"));
        var time = context.Optional("time");
        var keep = StepArgs.List(context.Optional("keep")).ToList();
        var label = ParseLabel(context);
        var groupBy = context.Optional("group_by");
        var fit = StepArgs.Filter(context, "fit");
        var rowFilter = StepArgs.Filter(context, "rows");
        if (groupBy is not null && label is null) throw StepArgs.Invalid(context, "group_by", "needs with.label: the aggregates are rates of the label.");
        if (fit is not null && groupBy is null) throw StepArgs.Invalid(context, "fit", "only applies with with.group_by.");
        var source = await StepArgs.TableAsync(context, "data", "features", ct).ConfigureAwait(false);

        await using var probe = await source.OpenAsync(ct).ConfigureAwait(false);
        var fields = probe.Fields;
        int FieldOf(string column, string argument)
        {
            var i = fields.IndexOf(column);
            return i >= 0 ? i : throw StepArgs.Invalid(context, argument, $"names the column '{column}', which {source.Description} does not have; its columns are {string.Join(", ", fields.Select(f => f.Name))}.");
        }
        var timeField = time is null ? -1 : FieldOf(time, "time");
        var keepFields = keep.Select(k => FieldOf(k, "keep")).ToList();
        var labelField = label is null ? -1 : FieldOf(label.Column, "label");
        var groupField = groupBy is null ? -1 : FieldOf(groupBy, "group_by");
        var names = (time is null ? [] : TimeParts).Concat(keep).ToList();
        foreach (var filter in new[] { (fit, "fit"), (rowFilter, "rows") })
            if (filter.Item1 is { } f && !names.Contains(f.Column))
                throw StepArgs.Invalid(context, filter.Item2, $"filters on '{f.Column}', which is not a column of the output; filter on one of {string.Join(", ", names)}.");
        var read = new[] { timeField, labelField, groupField }.Concat(keepFields).Where(f => f >= 0).ToHashSet();

        // Reads every row once per pass, calling back with a value getter for output columns.
        async Task<long> ForEachRowAsync(Func<TableBatch, int, Func<string, double?>, bool?, Task> action)
        {
            long skipped = 0;
            await using var reader = await source.OpenAsync(ct).ConfigureAwait(false);
            await foreach (var batch in reader.ReadAsync(read, ct).ConfigureAwait(false))
                for (var r = 0; r < batch.RowCount; r++)
                {
                    DateTimeOffset stamp = default;
                    if (timeField >= 0 && !batch[timeField].TryGetTimestamp(r, out stamp)) { skipped++; continue; }
                    bool? late = null;
                    if (labelField >= 0)
                    {
                        if (!batch[labelField].TryGetNumber(r, out var v)) { skipped++; continue; }
                        late = label!.Of(v);
                    }
                    var row = r;
                    double? Value(string column) => column switch
                    {
                        "hour" when timeField >= 0 => stamp.Hour,
                        "day_of_week" when timeField >= 0 => (int)stamp.DayOfWeek,
                        "month" when timeField >= 0 => stamp.Month,
                        _ => batch[keepFields[keep.IndexOf(column)]].TryGetNumber(row, out var n) ? n : null,
                    };
                    await action(batch, r, Value, late).ConfigureAwait(false);
                }
            return skipped;
        }

        var counts = new Dictionary<string, (long Rows, long Positive)>(StringComparer.Ordinal);
        long fitRows = 0, fitPositive = 0;
        if (groupBy is not null)
        {
            await ForEachRowAsync((batch, r, value, late) =>
            {
                if (fit is null || value(fit.Column) is { } v && fit.Matches(v))
                {
                    var key = batch[groupField].GetText(r) ?? "";
                    var (n, p) = counts.GetValueOrDefault(key);
                    counts[key] = (n + 1, p + (late == true ? 1 : 0));
                    fitRows++;
                    if (late == true) fitPositive++;
                }
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            if (fitRows == 0) throw StepArgs.Invalid(context, "fit", $"({fit}) selects no rows of {source.Description}.");
        }
        // A key never seen in the fit rows gets the overall rate: what a model can know about a new airport.
        var overall = fitRows == 0 ? 0 : (double)fitPositive / fitRows;

        var header = new List<string>(names);
        if (groupBy is not null) header.AddRange([$"{groupBy}_{label!.Name}_rate", $"{groupBy}_rows"]);
        if (label is not null) header.Add(label.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        long written = 0;
        var temp = output + ".tmp";
        long skippedRows;
        await using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync(string.Join(',', header.Select(Csv))).ConfigureAwait(false);
            var line = new StringBuilder();
            skippedRows = await ForEachRowAsync(async (batch, r, value, late) =>
            {
                if (rowFilter is not null && !(value(rowFilter.Column) is { } v && rowFilter.Matches(v))) return;
                line.Clear();
                if (timeField >= 0)
                    foreach (var part in TimeParts) line.Append(value(part)!.Value.ToString(CultureInfo.InvariantCulture)).Append(',');
                foreach (var f in keepFields) line.Append(Csv(batch[f].GetText(r) ?? "")).Append(',');
                if (groupBy is not null)
                {
                    var (n, p) = counts.GetValueOrDefault(batch[groupField].GetText(r) ?? "");
                    line.Append((n == 0 ? overall : (double)p / n).ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(n).Append(',');
                }
                if (late is { } l) line.Append(l ? "true" : "false").Append(',');
                line.Length--;
                await writer.WriteLineAsync(line).ConfigureAwait(false);
                written++;
            }).ConfigureAwait(false);
        }
        File.Move(temp, output, overwrite: true);
        if (written == 0) throw StepArgs.Invalid(context, "rows", $"({rowFilter}) selects no rows of {source.Description}.");
        context.Log.WriteLine($"wrote {written:N0} rows ({skippedRows:N0} without a time or label skipped) to {context.Require("output")}");
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string>
        {
            ["features.columns"] = string.Join(",", header), ["features.fit"] = fit?.ToString() ?? "", ["features.rows"] = rowFilter?.ToString() ?? "",
        }, ct).ConfigureAwait(false);
        await StepRunLog.MetricsAsync(StepRunLog.Client(context), context.StepRunId,
            new Dictionary<string, double> { ["rows"] = written, ["skipped_rows"] = skippedRows, ["groups"] = counts.Count }, ct).ConfigureAwait(false);
        context.SetOutput("rows", written.ToString(CultureInfo.InvariantCulture));
        context.SetOutput("columns", string.Join(",", header));
    }

    private static Label? ParseLabel(StepContext context)
    {
        if (context.Optional("label") is not { } text) return null;
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|>|<|==)\s*(-?[0-9.]+)\s*$");
        if (!match.Success || !double.TryParse(match.Groups[4].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
            throw StepArgs.Invalid(context, "label", $"is '{text}': write name=column>number, such as late=delay>15.");
        return new Label(match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, threshold);
    }

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
