using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Features;
using Cairn.Features.TestFunctions;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using DuckDB.NET.Data;

namespace Cairn.Cli.Tests;

/// <summary>
/// On-demand features through the hosts: <c>cairn features get-online|get-historical --feature-functions</c>
/// with this test's function assembly, and a real server's online API with functions registered in code.
/// </summary>
public sealed class OnDemandFeaturesCliTests : CliRunner
{
    private const string Definitions = """
        entities:
          - name: origin_airport
            join_keys: [{name: Origin, type: string}]
        sources:
          - name: flights
            path: data/delays.csv
            timestamp_field: event_time
        feature_views:
          - name: airport_delays
            entities: [origin_airport]
            source: flights
            features: [{name: avg_delay_7d, type: double}]
        on_demand_feature_views:
          - name: delay_ratios
            request_fields: [{name: scheduled_minutes, type: int64}]
            inputs: [airport_delays:avg_delay_7d]
            function: FUNCTION
            features: [{name: delay_ratio, type: double}]
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay_7d, delay_ratios:delay_ratio]
        """;

    private static readonly string FunctionsAssembly = typeof(DelayRatio).Assembly.Location;

    private string Project => Folder.File("project");

    private async Task<(int Exit, string Out, string Err)> Features(params string[] args) => await Cairn(["features", .. args, "-C", Project]);

    private async Task AppliedAsync(string function = "delay_ratio")
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("FUNCTION", function));
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"),
            "Origin,event_time,avg_delay_7d\nSEA,2024-01-01 00:00:00,10.5\nSEA,2024-01-03 00:00:00,20.5\nJFK,2024-01-01 00:00:00,3.5\n");
        await File.WriteAllTextAsync(Path.Combine(Project, "entities.csv"),
            "Origin,event_timestamp,scheduled_minutes\nSEA,2024-01-02 00:00:00,60\nSEA,2024-02-01 00:00:00,41\nJFK,2024-02-01 00:00:00,0\nBOS,2024-02-01 00:00:00,30\n");
        var apply = await Features("apply");
        Assert.True(apply.Exit == 0, apply.Err);
        var materialize = await Features("materialize", "--start", "2024-01-01", "--end", "2024-02-01");
        Assert.True(materialize.Exit == 0, materialize.Err);
    }

    private static void AssertUserError((int Exit, string Out, string Err) result, string messagePart)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.Contains(messagePart, result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    private static List<double?> Column(string parquet, string column)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"{column}\" FROM read_parquet('{parquet.Replace("'", "''")}')";
        using var reader = command.ExecuteReader();
        var values = new List<double?>();
        while (reader.Read()) values.Add(reader.IsDBNull(0) ? null : reader.GetDouble(0));
        return values;
    }

    [Fact]
    public async Task GetOnlineAndGetHistorical_WithTheFunctionsAssembly_GiveTheSameValueForTheSameInputs()
    {
        await AppliedAsync();

        var online = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA,JFK,BOS", "--entity", "scheduled_minutes=41,0,30",
            "--feature-functions", FunctionsAssembly, "-o", "json");
        var historical = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "train.parquet",
            "--feature-functions", FunctionsAssembly);
        var list = await Features("list");

        Assert.True(online.Exit == 0, online.Err);
        var json = JsonNode.Parse(online.Out)!;
        Assert.Equal(["Origin", "scheduled_minutes", "avg_delay_7d", "delay_ratio"], json["metadata"]!["feature_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        var ratio = json["results"]![3]!;
        Assert.Equal(["PRESENT", "PRESENT", "NOT_FOUND"], ratio["statuses"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True(historical.Exit == 0, historical.Err);
        Assert.Contains("delay_ratio <- delay_ratios:delay_ratio (double), 1 null(s)", historical.Out);
        Assert.Contains("delay_ratios@1  function delay_ratio  request scheduled_minutes (int64)  inputs airport_delays:avg_delay_7d  features delay_ratio (double)", list.Out);
        var trained = Column(Path.Combine(Project, "train.parquet"), "delay_ratio");
        Assert.Equal([DelayRatio.Ratio(10.5, 60), DelayRatio.Ratio(20.5, 41), DelayRatio.Ratio(3.5, 0), null], trained);
        // The last three entity rows are after every event: the values the online store holds.
        Assert.Equal(trained.Skip(1).Take(2), ratio["values"]!.AsArray().Take(2).Select(n => (double?)n!.GetValue<double>()));
    }

    [Fact]
    public async Task WithoutTheAssembly_OrWithAFunctionThatThrows_TheCommandsFailClearly()
    {
        await AppliedAsync("refuses_negative_minutes");

        var noAssembly = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA", "--entity", "scheduled_minutes=5");
        var missingFile = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "train.parquet", "--feature-functions", "nope.dll");
        var throws = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA,SEA", "--entity", "scheduled_minutes=5,-1",
            "--feature-functions", FunctionsAssembly);
        var notANumber = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA", "--entity", "scheduled_minutes=soon",
            "--feature-functions", FunctionsAssembly);

        AssertUserError(noAssembly, "needs the function 'refuses_negative_minutes', but no feature functions are loaded: give the assembly that holds it with --feature-functions");
        AssertUserError(missingFile, "--feature-functions: there is no assembly at");
        AssertUserError(throws, "The feature function 'refuses_negative_minutes' of on-demand feature view 'delay_ratios' failed on row 2");
        AssertUserError(notANumber, "--entity scheduled_minutes: 'soon' is not an integer");
        Assert.False(File.Exists(Path.Combine(Project, "train.parquet")));
    }

    [Fact]
    public async Task AServer_ComputesOnDemandFeatures_InFeastsLookup_AndRefusesAMissingRequestFieldWith400()
    {
        using var folder = new TempFolder();
        var onlineStore = new SqliteOnlineFeatureStore(folder.File("online.db"));
        await using var opened = onlineStore;
        var functions = new OnDemandFeatureFunctions([new DelayRatio()]);
        await using var server = await RunningServer.StartAsync(o => o with { OnlineFeatures = new LocalOnlineFeatureService(o.Features!, onlineStore, folder.File("push"), functions: functions) });
        using var client = server.Client();
        var repository = FeatureRepositoryYaml.Parse(Definitions.Replace("FUNCTION", "delay_ratio"), "delays.yaml");
        await client.Features.ApplyAsync(repository);
        await client.OnlineFeatures.PushAsync("airport_delays", [new Dictionary<string, object?> { ["Origin"] = "SEA", ["event_time"] = "2024-03-01T10:00:00Z", ["avg_delay_7d"] = 30.0 }]);

        using var response = await server.Http.PostAsync("/get-online-features", new StringContent(
            """{"features": ["delay_ratios:delay_ratio"], "entities": {"Origin": ["SEA", "LAX"], "scheduled_minutes": [120, 5]}}""", Encoding.UTF8, "application/json"));
        using var missing = await server.Http.PostAsync("/get-online-features", new StringContent(
            """{"feature_service": "delay_v1", "entities": {"Origin": ["SEA"]}}""", Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(["Origin", "scheduled_minutes", "delay_ratio"], json["metadata"]!["feature_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(DelayRatio.Ratio(30.0, 120), json["results"]![2]!["values"]![0]!.GetValue<double>());
        Assert.Equal(["PRESENT", "NOT_FOUND"], json["results"]![2]!["statuses"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(400, (int)missing.StatusCode);
        Assert.Contains("needs the request field(s) 'scheduled_minutes'", await missing.Content.ReadAsStringAsync());
        Assert.Single((await client.Features.GetRepositoryAsync()).OnDemandViews);
    }

    [Fact]
    public async Task CairnServer_LoadsTheFunctionsAssemblyAtStart_AndWarnsOfAMissingFunction()
    {
        await AppliedAsync();
        var online = Path.Combine(Store, "features", "online.db"); // where materialize wrote, beside the embedded store
        Assert.True(File.Exists(online));

        using var withFunctions = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", Store, "--no-scheduler",
            "--online-store", online, "--feature-functions", FunctionsAssembly]);
        var line = await withFunctions.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(System.Text.RegularExpressions.Regex.Match(line, @"http://[^ ]+").Value) };
        using var response = await http.PostAsync("/get-online-features", new StringContent(
            """{"feature_service": "delay_v1", "entities": {"Origin": ["SEA"], "scheduled_minutes": [41]}}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        withFunctions.Kill();
        using var without = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", Store, "--no-scheduler", "--online-store", online]);
        await without.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        without.Kill();

        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal(DelayRatio.Ratio(20.5, 41), JsonNode.Parse(body)!["results"]![3]!["values"]![0]!.GetValue<double>());
        Assert.DoesNotContain("warning", withFunctions.StandardError);
        Assert.Contains("warning: On-demand feature view 'delay_ratios' needs the function 'delay_ratio', but no feature functions are loaded", without.StandardError);
    }
}
