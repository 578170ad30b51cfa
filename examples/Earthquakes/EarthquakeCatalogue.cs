using System.Globalization;
using System.Text;
using Microsoft.ML.Data;

namespace Cairn.Examples.Earthquakes;

/// <summary>One catalogued earthquake. A missing depth or station count is NaN, as ML.NET reads a missing number.</summary>
public sealed class Quake
{
    [ColumnName("latitude")] public float Latitude { get; set; }
    [ColumnName("longitude")] public float Longitude { get; set; }
    [ColumnName("depth_km")] public float DepthKm { get; set; }
    [ColumnName("station_count")] public float StationCount { get; set; }
    [ColumnName("gap_degrees")] public float GapDegrees { get; set; }
    [ColumnName("region")] public string Region { get; set; } = "";
    [ColumnName("magnitude")] public float Magnitude { get; set; }

    /// <summary>The row as the column values a loaded model scores; a NaN is sent as null, as a JSON client would send it.</summary>
    public IReadOnlyDictionary<string, object?> ToInput() => new Dictionary<string, object?>
    {
        ["latitude"] = Latitude, ["longitude"] = Longitude, ["depth_km"] = float.IsNaN(DepthKm) ? null : DepthKm,
        ["station_count"] = float.IsNaN(StationCount) ? null : StationCount, ["gap_degrees"] = GapDegrees, ["region"] = Region,
    };
}

/// <summary>
/// A synthetic earthquake catalogue, the same for a given seed: six regions, each with its own
/// latitude and longitude box and typical depth. Magnitude grows with the number of stations that
/// recorded the event and with depth, shrinks with the azimuthal gap (poorly covered events are
/// small ones), plus a regional offset and noise. Depth and station count are sometimes missing,
/// as in real catalogues where a solution was not constrained.
/// </summary>
public static class EarthquakeCatalogue
{
    private sealed record Region(string Name, float LatMin, float LatMax, float LonMin, float LonMax, double MeanDepthKm, double MagnitudeOffset);

    private static readonly Region[] Regions =
    [
        new("japan", 30, 45, 130, 145, 60, 0.5),
        new("chile", -45, -18, -75, -68, 70, 0.45),
        new("alaska", 52, 65, -170, -140, 40, 0.3),
        new("california", 32, 42, -124, -115, 9, 0),
        new("iceland", 63, 66.5f, -24, -13, 7, -0.2),
        new("italy", 37, 47, 7, 18, 12, 0.1),
    ];

    /// <summary>Generates <paramref name="count"/> events.</summary>
    public static List<Quake> Generate(int count = 1700, int seed = 42)
    {
        var random = new Random(seed);
        var quakes = new List<Quake>(count);
        for (var i = 0; i < count; i++)
        {
            var region = Regions[random.Next(Regions.Length)];
            var depth = -region.MeanDepthKm * Math.Log(1 - random.NextDouble()); // exponential around the region's mean
            var stations = 3 + (int)(-25 * Math.Log(1 - random.NextDouble()));
            var gap = 20 + random.NextDouble() * 250;
            var noise = Gaussian(random) * 0.2;
            var magnitude = 1.0 + 1.1 * Math.Log10(stations + 1) + 0.004 * Math.Min(depth, 300) - 0.002 * gap + region.MagnitudeOffset + noise;
            quakes.Add(new Quake
            {
                Latitude = Uniform(random, region.LatMin, region.LatMax),
                Longitude = Uniform(random, region.LonMin, region.LonMax),
                DepthKm = random.NextDouble() < 0.08 ? float.NaN : (float)Math.Round(depth, 1),
                StationCount = random.NextDouble() < 0.06 ? float.NaN : stations,
                GapDegrees = (float)Math.Round(gap, 0),
                Region = region.Name,
                Magnitude = (float)Math.Round(magnitude, 2),
            });
        }
        return quakes;
    }

    /// <summary>The catalogue as CSV, a missing value as an empty cell.</summary>
    public static string ToCsv(IEnumerable<Quake> quakes)
    {
        var csv = new StringBuilder("latitude,longitude,depth_km,station_count,gap_degrees,region,magnitude\n");
        foreach (var q in quakes)
            csv.Append(CultureInfo.InvariantCulture, $"{q.Latitude:0.###},{q.Longitude:0.###},{Cell(q.DepthKm)},{Cell(q.StationCount)},{q.GapDegrees},{q.Region},{q.Magnitude}\n");
        return csv.ToString();
    }

    private static string Cell(float value) => float.IsNaN(value) ? "" : value.ToString(CultureInfo.InvariantCulture);

    private static float Uniform(Random random, float min, float max) => (float)Math.Round(min + random.NextDouble() * (max - min), 3);

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
