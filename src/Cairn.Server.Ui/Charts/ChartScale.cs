using System.Globalization;

namespace Cairn.Server.Ui.Charts;

/// <summary>
/// Maps a chart's values onto 0..100 and back. MudBlazor's line chart spaces its y ticks by a
/// whole number, which suits counts but not a loss of 0.02 or an AUC of 0.71: drawing every
/// chart on 0..100 with ticks every 20 and labelling each tick with the value it stands for gives
/// five readable ticks over the data's own range, whatever its magnitude.
/// </summary>
public sealed class ChartScale
{
    public const double Top = 100;
    public const int TickSpacing = 20;

    public double Low { get; }
    public double High { get; }
    private readonly bool _log;

    private ChartScale(double low, double high, bool log)
    {
        Low = low;
        High = high;
        _log = log;
    }

    /// <param name="log">Values are log10 of the real ones; labels show the real values.</param>
    public static ChartScale For(IEnumerable<double?[]> lines, bool log = false)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var line in lines)
        {
            foreach (var value in line)
            {
                if (value is not { } v || !double.IsFinite(v)) continue;
                low = Math.Min(low, v);
                high = Math.Max(high, v);
            }
        }
        if (!double.IsFinite(low)) (low, high) = (0, 1);
        if (high - low < 1e-12) (low, high) = (low - 0.5, high + 0.5);
        return new ChartScale(low, high, log);
    }

    public double?[] Apply(double?[] values) =>
        values.Select(v => v is { } x && double.IsFinite(x) ? (x - Low) / (High - Low) * Top : (double?)null).ToArray();

    /// <summary>The real value a position on the 0..100 axis stands for.</summary>
    public double ValueAt(double position)
    {
        var value = Low + position / Top * (High - Low);
        return _log ? Math.Pow(10, value) : value;
    }

    public string Label(double position) => ValueAt(position).ToString("G4", CultureInfo.InvariantCulture);
}
