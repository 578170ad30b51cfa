using Microsoft.ML;
using Parquet.Serialization;

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
/// A FastTree delay classifier trained once per test run on a sample of the real
/// flights-3m.parquet (every 300th flight, 10,000 rows), shared by the tests.
/// </summary>
public sealed class FlightsModel
{
    private static readonly Lazy<FlightsModel> Shared = new(() => new FlightsModel());
    public static FlightsModel Instance => Shared.Value;

    public MLContext Ml { get; } = new(seed: 1);
    public ITransformer Model { get; }
    public DataViewSchema InputSchema { get; }
    public List<FlightExample> Rows { get; }

    private sealed class ParquetFlight
    {
        public DateTime? date { get; set; }
        public long? delay { get; set; }
        public long? distance { get; set; }
        public string? origin { get; set; }
        public string? destination { get; set; }
    }

    private FlightsModel()
    {
        var path = Path.Combine(RepoRoot(), "..", "shared", "data", "flights-3m.parquet");
        using var stream = File.OpenRead(path);
        var all = ParquetSerializer.DeserializeAsync<ParquetFlight>(stream).GetAwaiter().GetResult().Data;
        Rows = all.Where((_, i) => i % 300 == 0).Take(10_000).Select(f => new FlightExample
        {
            Hour = f.date!.Value.Hour, DayOfWeek = (float)f.date.Value.DayOfWeek, Distance = f.distance ?? 0,
            Origin = f.origin ?? "", Destination = f.destination ?? "", Late = (f.delay ?? 0) > 15,
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
