using System.Text;

namespace Cairn.Quality;

/// <summary>
/// One line of a quality report: what was checked, what was expected, what was observed, and
/// whether it passed. <paramref name="Line"/> is where the check is written in its YAML file.
/// </summary>
/// <param name="Details">More about a failure (the worst slices, the rows that broke), for people and JSON.</param>
public sealed record CheckResult(string Check, string Expected, string Observed, bool Passed, int? Line = null, IReadOnlyList<string>? Details = null);

/// <summary>A report of checks over one subject (a data file, a model): passed when every check passed.</summary>
public abstract record QualityReport(string Subject, IReadOnlyList<CheckResult> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);

    public int FailedCount => Checks.Count(c => !c.Passed);

    /// <summary>What the report is about, for its first line (rows read, model loaded).</summary>
    public abstract string Heading { get; }

    /// <summary>The report as people read it: a heading, one PASS/FAIL line per check, and a verdict.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        foreach (var check in Checks)
        {
            text.Append(check.Passed ? "PASS  " : "FAIL  ").Append(check.Check)
                .Append(": expected ").Append(check.Expected).Append("; observed ").AppendLine(check.Observed);
            if (check.Passed) continue;
            foreach (var detail in (check.Details ?? []).Take(MaxDetailLines)) text.Append("        ").AppendLine(detail);
            if (check.Details is { Count: > MaxDetailLines } more) text.Append("        ... and ").Append(more.Count - MaxDetailLines).AppendLine(" more");
        }
        text.Append(Passed ? "PASSED" : "FAILED").Append(": ").Append(Checks.Count - FailedCount).Append(" of ").Append(Checks.Count).AppendLine(" checks passed.");
        return text.ToString();
    }

    private const int MaxDetailLines = 10;
}

/// <summary>The outcome of <see cref="Validation.DataValidation"/>: expectations checked over a data source.</summary>
public sealed record ValidationReport(string Subject, long Rows, IReadOnlyList<CheckResult> Checks) : QualityReport(Subject, Checks)
{
    public override string Heading => $"Data {Subject}: {Rows:N0} rows.";
}

/// <summary>The outcome of <see cref="ModelTests.ModelTesting"/>: behavioural tests run against a loaded model.</summary>
public sealed record ModelTestReport(string Subject, IReadOnlyList<CheckResult> Checks) : QualityReport(Subject, Checks)
{
    public override string Heading => $"Model {Subject}.";
}
