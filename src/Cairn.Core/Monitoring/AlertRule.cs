using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Monitoring;

/// <summary>
/// A parsed alert rule: a value of a monitor run compared with a number. The value is a name
/// (<c>drift_share</c>, <c>auc</c>, <c>p99_latency_ms</c>) or a function of a column
/// (<c>psi(Distance)</c>, <c>missing_rate(Origin)</c>); <see cref="ValueKey"/> is the key it reads
/// in <see cref="MonitorRun.Values"/>.
/// </summary>
public sealed partial record AlertRule(string Value, string? Column, string Operator, double Threshold)
{
    [GeneratedRegex(@"^\s*([a-z][a-z0-9_]*)\s*(?:\(\s*([^()\s][^()]*?)\s*\))?\s*(>=|<=|==|!=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")]
    private static partial Regex Pattern();

    public static readonly IReadOnlyList<string> Operators = [">", ">=", "<", "<=", "==", "!="];

    /// <summary>The key of the value in a run's values: <c>drift_share</c> or <c>psi(Distance)</c>.</summary>
    public string ValueKey => Column is null ? Value : $"{Value}({Column})";

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE saying how a rule is written.</exception>
    public static AlertRule Parse(string? text)
    {
        var m = text is { Length: <= 500 } ? Pattern().Match(text) : Match.Empty;
        if (!m.Success)
            throw CairnException.InvalidParameter(
                $"Invalid alert rule '{text}': write a value, an operator (> >= < <= == !=) and a number, such as " +
                "'drift_share > 0.3', 'psi(Distance) > 0.2', 'missing_rate(Origin) > 0.05', 'p99_latency_ms > 50' or 'auc < 0.7'.");
        var threshold = double.Parse(m.Groups[4].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(threshold))
            throw CairnException.InvalidParameter($"Invalid alert rule '{text}': the threshold must be a finite number.");
        return new AlertRule(m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null, m.Groups[3].Value, threshold);
    }

    /// <summary>Whether the rule holds (the alert fires) for <paramref name="value"/>; NaN never fires.</summary>
    public bool Holds(double value) => !double.IsNaN(value) && Operator switch
    {
        ">" => value > Threshold,
        ">=" => value >= Threshold,
        "<" => value < Threshold,
        "<=" => value <= Threshold,
        "==" => value == Threshold,
        "!=" => value != Threshold,
        _ => false,
    };

    public override string ToString() => $"{ValueKey} {Operator} {Threshold.ToString(CultureInfo.InvariantCulture)}";
}
