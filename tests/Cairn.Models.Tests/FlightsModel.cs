using Microsoft.ML;
using System.Globalization;

namespace Cairn.Models.Tests;

/// <summary>The input a delay model scores: what is known before the flight.</summary>
public sealed class FlightInput
{
    public float Hour { get; set; }
    public float DayOfWeek { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
}

public sealed class FlightExample
{
    public float Hour { get; set; }
    public float DayOfWeek { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
    public bool Late { get; set; }
}

public sealed class DelayPrediction
{
    public bool PredictedLabel { get; set; }
    public float Score { get; set; }
    public float Probability { get; set; }
}

/// <summary>
/// A FastTree delay classifier trained once per test run on real flights that the repository
/// ships (every other row of the quickstart's 29,697-flight sample, 10,000 rows), shared by the tests.
/// </summary>
public sealed class FlightsModel
{
    private static readonly Lazy<FlightsModel> Shared = new(() => new FlightsModel());
    public static FlightsModel Instance => Shared.Value;

    /// <summary>The quickstart's sample of flights-3m.parquet, in the repository: a clone has no shared data sets folder beside it.</summary>
    public static string SamplePath => Path.Combine(RepoRoot(), "examples", "Quickstart", "data", "flights-sample.csv");

    public MLContext Ml { get; } = new(seed: 1);
    public ITransformer Model { get; }
    public DataViewSchema InputSchema { get; }
    public List<FlightExample> Rows { get; }

    private FlightsModel()
    {
        // date,delay,distance,origin,destination with date as 2001-01-01T06:00 (scheduled departure)
        Rows = File.ReadLines(SamplePath).Skip(1).Where((_, i) => i % 2 == 0).Take(10_000).Select(line =>
        {
            var f = line.Split(',');
            var date = DateTime.Parse(f[0], CultureInfo.InvariantCulture);
            return new FlightExample
            {
                Hour = date.Hour, DayOfWeek = (float)date.DayOfWeek, Distance = float.Parse(f[2], CultureInfo.InvariantCulture),
                Origin = f[3], Destination = f[4], Late = int.Parse(f[1], CultureInfo.InvariantCulture) > 15,
            };
        }).ToList();
        var data = Ml.Data.LoadFromEnumerable(Rows);
        InputSchema = data.Schema;
        Model = Ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(Ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Distance", "OriginCode", "DestinationCode"))
            .Append(Ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfLeaves: 16, numberOfTrees: 40))
            .Fit(data);
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Cairn.slnx).");
    }

    public IReadOnlyDictionary<string, object?> AsRow(FlightExample f) => new Dictionary<string, object?>
    {
        ["Hour"] = f.Hour, ["DayOfWeek"] = f.DayOfWeek, ["Distance"] = f.Distance, ["Origin"] = f.Origin, ["Destination"] = f.Destination,
    };
}
