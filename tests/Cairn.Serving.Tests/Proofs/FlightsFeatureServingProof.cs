using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Models;
using Cairn.Testing;
using DuckDB.NET.Data;
using Microsoft.ML;

namespace Cairn.Serving.Tests.Proofs;

/// <summary>
/// The feature store end to end on the real flights: 7-day rolling delay features per origin
/// airport, a point-in-time training set for 1,000,000 flights tracked as a dataset version, a model
/// trained on it and registered, served with the features looked up online, and a lineage that
/// leads from the model version to the training set and the feature view version.
/// </summary>
public sealed partial class FlightsFeatureServingProof
{
    // Daily sums per origin, each known once its day has ended, rolled up over the 7 days before. No TTL:
    // the data set ends years ago, so online (now) every value would be past any TTL.
    private const string Definitions = """
        entities:
          - name: airport
            join_keys: [{name: origin, type: string}]
        sources:
          - name: flights
            path: data/flights.parquet
            timestamp_field: date
        feature_views:
          - name: airport_delays
            entities: [airport]
            source: flights
            transformation: |
              SELECT origin, day + INTERVAL 1 DAY AS date,
                     sum(delay_sum) OVER week / sum(flights) OVER week AS avg_delay_7d,
                     CAST(sum(flights) OVER week AS BIGINT) AS flights_7d
              FROM (SELECT origin, CAST(date_trunc('day', CAST(date AS TIMESTAMP)) AS TIMESTAMP) AS day,
                           sum(CAST(delay AS DOUBLE)) AS delay_sum, count(*) AS flights
                    FROM source WHERE delay IS NOT NULL GROUP BY ALL)
              WINDOW week AS (PARTITION BY origin ORDER BY day RANGE BETWEEN INTERVAL 6 DAY PRECEDING AND CURRENT ROW)
            features: [{name: avg_delay_7d, type: double}, {name: flights_7d, type: int64}]
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay_7d, airport_delays:flights_7d]
        """;

    private sealed class TrainingRow
    {
        public float avg_delay_7d { get; set; }
        public float flights_7d { get; set; }
        public float distance { get; set; }
        public bool Label { get; set; }
    }

    [SharedDataFact]
    public async Task AModelTrainedOnRollingFeatures_IsServedWithOnlineEnrichment_AndItsLineageNamesTheTrainingSetAndTheViewVersion()
    {
        using var folder = new TempFolder();
        var (store, project, online) = (folder.File("store"), folder.File("project"), folder.File("online.db"));
        Directory.CreateDirectory(Path.Combine(project, "features"));
        Directory.CreateDirectory(Path.Combine(project, "data"));
        GitCommand.Run(project, "init", "-q", "-b", "main", ".");
        File.Copy(SharedData.Flights3m!, Path.Combine(project, "data", "flights.parquet"));
        await File.WriteAllTextAsync(Path.Combine(project, "features", "flights.yaml"), Definitions);
        Sql($"""
            COPY (SELECT origin, CAST(date AS TIMESTAMP) AS event_timestamp, CAST(distance AS DOUBLE) AS distance, delay > 15 AS late
                  FROM read_parquet('{SharedData.Flights3m}') WHERE delay IS NOT NULL AND date IS NOT NULL AND distance IS NOT NULL
                  USING SAMPLE reservoir(1000000 ROWS) REPEATABLE (7))
            TO '{Path.Combine(project, "entities.parquet")}' (FORMAT parquet)
            """);

        await CairnAsync(store, "features", "apply", "-C", project);
        var built = await CairnAsync(store, "features", "get-historical", "--service", "delay_v1", "--entities", "entities.parquet",
            "--out", "data/train.parquet", "--dataset", "delay_train", "-C", project);
        Assert.Contains("Tracked as data:/delay_train@1", built);

        var training = ReadTrainingSet(Path.Combine(project, "data", "train.parquet"));
        Assert.Equal(1_000_000, training.Count);
        Assert.True(training.Count(r => !float.IsNaN(r.avg_delay_7d)) > 900_000, "most flights have an earlier day at their airport");
        string modelUri;
        using (var cairn = CairnClient.Open(store))
        {
            var ml = new MLContext(seed: 7);
            var data = ml.Data.LoadFromEnumerable(training);
            var model = ml.Transforms.Concatenate("Features", nameof(TrainingRow.avg_delay_7d), nameof(TrainingRow.flights_7d), nameof(TrainingRow.distance))
                .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Label", numberOfTrees: 20, numberOfLeaves: 15)).Fit(data);
            using var run = cairn.StartRun("delay");
            run.LogInput("data:/delay_train@1", context: "training");
            modelUri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        }
        await CairnAsync(store, "models", "register", modelUri, "--name", "delay");
        var materialized = await CairnAsync(store, "features", "materialize", "--start", "2000-01-01", "--online-store", online, "-C", project);
        Assert.Contains("airport_delays:", materialized);
        var looked = JsonNode.Parse(await CairnAsync(store, "features", "get-online", "--service", "delay_v1", "--entity", "origin=ATL,BOS,SEA",
            "--online-store", online, "-o", "json", "-C", project))!;
        var (averages, counts) = (looked["results"]![1]!["values"]!.AsArray(), looked["results"]![2]!["values"]!.AsArray());
        Assert.All(averages, v => Assert.NotNull(v));

        using var enriched = await ServeAsync(store, "models:/delay/1", ["--feature-service", "delay_v1", "--online-store", online]);
        using var plain = await ServeAsync(store, "models:/delay/1", []);
        var origins = new[] { "ATL", "BOS", "SEA" };
        var withFeatures = await ScoreAsync(enriched.Http, new JsonObject { ["instances"] = new JsonArray([.. origins.Select(o => new JsonObject { ["origin"] = o, ["distance"] = 700.0 })]) });
        var givenByHand = await ScoreAsync(plain.Http, new JsonObject
        {
            ["instances"] = new JsonArray([.. origins.Select((o, i) => new JsonObject
                { ["avg_delay_7d"] = averages[i]!.GetValue<double>(), ["flights_7d"] = counts[i]!.GetValue<long>(), ["distance"] = 700.0 })]),
        });
        var lineage = await CairnAsync(store, "models", "lineage", "models:/delay/1");

        // Served with the online values, the model answers exactly as when a caller sends them by hand.
        Assert.Equal(givenByHand.ToJsonString(), withFeatures.ToJsonString());
        Assert.True(withFeatures.AsArray().Select(p => p!["Probability"]!.GetValue<double>()).Distinct().Count() > 1, "airports with other delays score differently");
        Assert.Contains("data:/delay_train@1", lineage);
        Assert.Contains("features:/airport_delays@1", lineage);
    }

    private static void Sql(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The training set as the trainer reads it: a missing feature (no earlier day at that airport) is NaN.</summary>
    private static List<TrainingRow> ReadTrainingSet(string path)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT avg_delay_7d, flights_7d, distance, late FROM read_parquet('{path}')";
        using var reader = command.ExecuteReader();
        var rows = new List<TrainingRow>(1_000_000);
        float Number(int column) => reader.IsDBNull(column) ? float.NaN : Convert.ToSingle(reader.GetValue(column), CultureInfo.InvariantCulture);
        while (reader.Read()) rows.Add(new TrainingRow { avg_delay_7d = Number(0), flights_7d = Number(1), distance = Number(2), Label = reader.GetBoolean(3) });
        return rows;
    }

    private static async Task<string> CairnAsync(string store, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CairnCli.RunAsync(["--tracking-uri", store, .. args], stdout, stderr);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)}: {stderr}");
        return stdout.ToString();
    }

    private sealed record Served(ChildProcess Process, HttpClient Http) : IDisposable
    {
        public void Dispose()
        {
            Http.Dispose();
            Process.Dispose();
        }
    }

    private static async Task<Served> ServeAsync(string store, string model, string[] options)
    {
        var server = ChildProcess.StartDll("cairn.dll", ["serve", model, "--port", "0", "--inference-log", "none", .. options],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(120));
        return new Served(server, new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) });
    }

    private static async Task<JsonNode> ScoreAsync(HttpClient http, JsonObject body)
    {
        using var response = await http.PostAsync("/invocations", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["predictions"]!;
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+")]
    private static partial Regex Address();
}
