using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Cli;
using Cairn.Models;
using Cairn.Server;
using Cairn.Serving;
using Cairn.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;

namespace Cairn.Monitoring.Tests.EndToEnd;

/// <summary>A row the points model scores and the truth it is judged on.</summary>
public sealed class Point
{
    public float X { get; set; }
    public float Y { get; set; }
    public string Color { get; set; } = "";
    public bool Label { get; set; }

    private static readonly string[] Colors = ["red", "green", "blue"];

    /// <param name="shift">Added to X: the current window's drift.</param>
    public static List<Point> Generate(int count, int seed, float shift = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (x, y, c) = ((float)random.NextDouble() + shift, (float)random.NextDouble(), Colors[random.Next(3)]);
            // Noisy truth, so no model is perfect and the AUC is a real number.
            return new Point { X = x, Y = y, Color = c, Label = x - shift + y + (c == "red" ? 0.3 : 0) + (random.NextDouble() - 0.5) * 0.6 > 1 };
        }).ToList();
    }
}

/// <summary>
/// The whole loop on a real embedded store, a real git workspace, a real model server over HTTP and
/// its real inference log: reference data versioned as data:/points@1, a model trained on it with
/// that input logged (the lineage a monitor follows), registered as points@champion, and served;
/// requests answered with request ids; labels to send later.
/// </summary>
public sealed class MonitoredPoints : IAsyncDisposable
{
    public TempFolder Folder { get; } = new();
    public string Repo => Folder.File("repo");
    public string Store => Folder.File("store");
    public string LogFolder => Folder.File("inference-log");
    public List<Point> Reference { get; } = Point.Generate(3000, seed: 1);
    /// <summary>What was served, with the request id and row each answer was logged under, and the probability answered.</summary>
    public List<(Point Point, string RequestId, int Row, double Probability)> Served { get; } = [];

    public static async Task<MonitoredPoints> CreateAsync()
    {
        var points = new MonitoredPoints();
        await points.VersionTrainAndRegisterAsync();
        return points;
    }

    public static async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task VersionTrainAndRegisterAsync()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "data"));
        Git(Repo, "init", "-q", "-b", "main", ".");
        var csv = new StringBuilder("X,Y,Color,Label\n");
        foreach (var p in Reference) csv.Append(CultureInfo.InvariantCulture, $"{p.X},{p.Y},{p.Color},{(p.Label ? 1 : 0)}\n");
        await File.WriteAllTextAsync(Path.Combine(Repo, "data", "points.csv"), csv.ToString());
        await Expect(Cli("--tracking-uri", Store, "data", "-C", Repo, "add", "data/points.csv"));
        Git(Repo, "add", "-A");
        Git(Repo, "commit", "-q", "-m", "points");
        await Expect(Cli("--tracking-uri", Store, "data", "-C", Repo, "tag", "data/points.csv", "points"));

        using var cairn = CairnClient.Open(Store);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Reference);
        var model = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
            .Append(ml.BinaryClassification.Trainers.FastTree("Label", numberOfLeaves: 8, numberOfTrees: 30)).Fit(data);
        string uri;
        using (var run = cairn.StartRun("points"))
        {
            await run.LogInputAsync("data:/points@1", "training");
            uri = run.LogModel("model", ml, model, data.Schema, Reference.Take(2).ToList(), labelColumn: "Label").ModelUri;
        }
        var version = await new ModelRegistry(cairn).RegisterAsync(uri, "points");
        await cairn.Registry.SetAliasAsync("points", "champion", version.Version);
    }

    /// <summary>Serves points@champion with the inference log on, and sends <paramref name="rows"/> in MLflow requests of ten rows, each with an x-request-id.</summary>
    public async Task ServeAsync(IReadOnlyList<Point> rows, string requestPrefix)
    {
        using var cairn = CairnClient.Open(Store);
        var loaded = await cairn.LoadModelAsync("models:/points@champion");
        await using var host = new ModelHost(new ServedModel("points", loaded.Version!.Version, loaded.Predictor));
        await using var log = new InferenceLog(LogFolder, flushEvery: TimeSpan.FromMilliseconds(100));
        var app = ModelServer.Build(new ModelServerOptions(host) { Log = log, Port = 0 });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = app.BoundAddress() };
            for (var start = 0; start < rows.Count; start += 10)
            {
                var batch = rows.Skip(start).Take(10).ToList();
                var id = $"{requestPrefix}{start / 10}";
                using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations")
                {
                    Content = JsonContent.Create(new Dictionary<string, object>
                    {
                        ["dataframe_records"] = batch.Select(p => new Dictionary<string, object> { ["X"] = p.X, ["Y"] = p.Y, ["Color"] = p.Color }).ToList(),
                    }),
                };
                request.Headers.Add("x-request-id", id);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, body);
                var predictions = JsonNode.Parse(body)!["predictions"]!.AsArray();
                for (var i = 0; i < batch.Count; i++) Served.Add((batch[i], id, i, predictions[i]!["Probability"]!.GetValue<double>()));
            }
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public static void Git(string directory, params string[] args) => global::Cairn.Testing.GitCommand.Run(directory, args);

    public static async Task Expect(Task<(int Exit, string Out, string Err)> command)
    {
        var (exit, output, error) = await command;
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
    }

    public ValueTask DisposeAsync()
    {
        Folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
