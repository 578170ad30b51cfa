using System.Globalization;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Quality.Tests;

/// <summary>One flight as the quickstart's model sees it: calendar and route features, and whether it was late.</summary>
public sealed class Flight
{
    public float Hour { get; set; }
    public float DayOfWeek { get; set; }
    public float Month { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
    public bool Late { get; set; }
}

/// <summary>
/// A FastTree delay classifier with the quickstart's features, trained once on every other row of
/// the real flights sample, logged to a real embedded store (SQLite and an artifact folder) and
/// registered as models:/delay/1 with the alias champion.
/// </summary>
public sealed class FlightsModelFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Store => _folder.File("store");
    public string RunId { get; }
    public const string ModelUri = "models:/delay@champion";
    public IModelPredictor Predictor { get; }

    public FlightsModelFixture()
    {
        var flights = File.ReadLines(TestFiles.FlightsSample).Skip(1).Where((_, i) => i % 2 == 0).Select(line =>
        {
            var f = line.Split(',');
            var date = DateTime.Parse(f[0], CultureInfo.InvariantCulture);
            return new Flight
            {
                Hour = date.Hour, DayOfWeek = (float)date.DayOfWeek, Month = date.Month, Distance = float.Parse(f[2], CultureInfo.InvariantCulture),
                Origin = f[3], Destination = f[4], Late = int.Parse(f[1], CultureInfo.InvariantCulture) > 15,
            };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(flights);
        var model = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Month", "Distance", "OriginCode", "DestinationCode"))
            .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfLeaves: 16, numberOfTrees: 40))
            .Fit(data);
        using var client = CairnClient.Open(Store);
        using (var run = client.StartRun("delay"))
        {
            run.LogMetric("auc", 0.70);
            run.LogModel("model", ml, model, data.Schema, flights.Take(2).ToList(), labelColumn: "Late");
            RunId = run.RunId;
        }
        var registry = new ModelRegistry(client);
        var version = registry.RegisterAsync($"runs:/{RunId}/model", "delay").GetAwaiter().GetResult();
        registry.SetAliasAsync("delay", "champion", version.Version).GetAwaiter().GetResult();
        Predictor = client.LoadModel(ModelUri);
    }

    public CairnClient Open() => CairnClient.Open(Store);

    public void Dispose()
    {
        Predictor.Dispose();
        _folder.Dispose();
    }
}
