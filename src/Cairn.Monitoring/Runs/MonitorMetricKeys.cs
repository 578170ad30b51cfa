using System.Text;

namespace Cairn.Monitoring;

/// <summary>
/// A run's values as tracking metrics: rule names such as <c>psi(Distance)</c> or <c>auc[Origin=SEA]</c>
/// are not valid metric keys (MLflow allows letters, digits and <c>_ - . space / :</c>), so
/// <c>f(x)</c> becomes <c>f/x</c>, <c>m[c=v]</c> becomes <c>m/c:v</c>, and any other character <c>_</c>.
/// </summary>
public static class MonitorMetricKeys
{
    public static string ToMetricKey(string value)
    {
        var key = new StringBuilder(value.Length);
        foreach (var c in value)
            key.Append(c switch
            {
                '(' or '[' => '/',
                ')' or ']' => '\0',
                '=' => ':',
                _ when char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' or '/' or ':' => c,
                _ => '_',
            });
        var text = key.Replace("\0", "").ToString().Trim('/');
        text = string.Join('/', text.Split('/').Select(s => s is "." or ".." ? "_" : s));
        return text.Length <= 250 ? text : text[..250];
    }

    /// <summary>The finite values as metrics (NaN and infinities are left out); keys that collide keep the first.</summary>
    public static IReadOnlyDictionary<string, double> ToMetrics(IReadOnlyDictionary<string, double> values)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
            if (double.IsFinite(value) && ToMetricKey(name) is { Length: > 0 } key) metrics.TryAdd(key, value);
        return metrics;
    }
}
