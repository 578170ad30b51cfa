using System.Globalization;
using Microsoft.ML.Data;

namespace Cairn.Examples.Quickstart;

/// <summary>One flight as the model sees it: calendar and route features, and whether it was late.</summary>
public sealed class Flight
{
    public float Hour { get; set; }
    public float DayOfWeek { get; set; }
    public float Month { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
    /// <summary>More than 15 minutes late: the label.</summary>
    public bool Late { get; set; }
}

/// <summary>A featurized row, read back to score tree prefixes.</summary>
public sealed class FeaturizedFlight
{
    [VectorType]
    public float[] Features { get; set; } = [];
    public bool Late { get; set; }
}

public static class Flights
{
    public static List<Flight> Load(string csvPath)
    {
        var flights = new List<Flight>();
        foreach (var line in File.ReadLines(csvPath).Skip(1))
        {
            var f = line.Split(',');
            var date = DateTime.Parse(f[0], CultureInfo.InvariantCulture);
            flights.Add(new Flight
            {
                Hour = date.Hour,
                DayOfWeek = (float)date.DayOfWeek,
                Month = date.Month,
                Distance = float.Parse(f[2], CultureInfo.InvariantCulture),
                Origin = f[3],
                Destination = f[4],
                Late = int.Parse(f[1], CultureInfo.InvariantCulture) > 15,
            });
        }
        return flights;
    }
}
