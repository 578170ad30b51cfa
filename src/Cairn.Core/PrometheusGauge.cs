using System.Globalization;
using System.Text;

namespace Cairn;

/// <summary>
/// One gauge family in Prometheus' text exposition format (0.0.4): its HELP and TYPE lines and its
/// samples. Gauges are written from a snapshot of a store at each scrape, so that something deleted
/// disappears instead of lingering in a registry.
/// </summary>
public sealed class PrometheusGauge(string name, string help)
{
    /// <summary>The content type of the text exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _samples = new();

    /// <summary>Adds one sample with <paramref name="labels"/> (values escaped here).</summary>
    public void Add((string Name, string Value)[] labels, double value)
    {
        _samples.Append(name);
        if (labels.Length > 0) _samples.Append('{').AppendJoin(',', labels.Select(l => $"{l.Name}=\"{Escape(l.Value)}\"")).Append('}');
        _samples.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Appends the family (HELP, TYPE, then the samples) to <paramref name="text"/>.</summary>
    public void WriteTo(StringBuilder text) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" gauge\n")
            .Append(_samples);

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
