using System.Text.Json.Nodes;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn features materialize|get-online|push|stats</c> on an embedded store with its default SQLite online store.</summary>
public sealed class FeaturesOnlineCliTests : CliRunner
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
            features: [{name: avg_delay, type: double}, {name: flights, type: int64}]
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay, airport_delays:flights]
        """;

    private string Project => Folder.File("project");

    private async Task<(int Exit, string Out, string Err)> Features(params string[] args) => await Cairn(["features", .. args, "-C", Project]);

    private async Task AppliedAsync()
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions);
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"),
            "Origin,event_time,avg_delay,flights\nSEA,2024-01-01 00:00:00,10.5,3\nSEA,2024-01-03 00:00:00,20.5,4\nJFK,2024-01-01 00:00:00,3.5,9\nJFK,2024-03-01 00:00:00,99.5,1\n");
        var apply = await Features("apply");
        Assert.True(apply.Exit == 0, apply.Err);
    }

    private static void AssertUserError((int Exit, string Out, string Err) result, string messagePart)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.StartsWith("error: ", result.Err);
        Assert.Contains(messagePart, result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    [Fact]
    public async Task Materialize_ThenGetOnline_GivesEachKeysLatestValueInTheInterval_WithStatuses()
    {
        await AppliedAsync();

        var materialize = await Features("materialize", "--start", "2024-01-01", "--end", "2024-02-01");
        var online = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA,JFK,BOS", "-o", "json");
        var table = await Features("get-online", "--features", "airport_delays:avg_delay", "--entity", "Origin=BOS,SEA");

        Assert.True(materialize.Exit == 0, materialize.Err);
        Assert.Contains("airport_delays: 2 key(s) read, 2 written", materialize.Out);
        Assert.True(online.Exit == 0, online.Err);
        var json = JsonNode.Parse(online.Out)!;
        Assert.Equal(["Origin", "avg_delay", "flights"], json["metadata"]!["feature_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        var delay = json["results"]![1]!;
        Assert.Equal([20.5, 3.5], delay["values"]!.AsArray().Take(2).Select(n => n!.GetValue<double>()));
        Assert.Null(delay["values"]![2]);
        Assert.Equal(["PRESENT", "PRESENT", "NOT_FOUND"], delay["statuses"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal([4L, 9L], json["results"]![2]!["values"]!.AsArray().Take(2).Select(n => n!.GetValue<long>()));
        Assert.True(table.Exit == 0, table.Err);
        Assert.Contains("BOS\t(NOT_FOUND)", table.Out);
        Assert.Contains("SEA\t20.5", table.Out);
    }

    [Fact]
    public async Task APushedRow_IsServedOnline_AndCountedInTheViewsStatistics()
    {
        await AppliedAsync();
        var rows = Path.Combine(Project, "push.json");
        await File.WriteAllTextAsync(rows, """[{"Origin": "BOS", "event_time": "2024-04-01T00:00:00Z", "avg_delay": 7.25, "flights": 2}]""");

        var push = await Features("push", "airport_delays", "--rows", "push.json");
        var online = await Features("get-online", "--service", "delay_v1", "--entity", "Origin=BOS", "-o", "json");
        var stats = await Features("stats", "airport_delays", "-o", "json");

        Assert.True(push.Exit == 0, push.Err);
        Assert.Contains("Pushed 1 row(s) to airport_delays", push.Out);
        Assert.Equal(7.25, JsonNode.Parse(online.Out)!["results"]![1]!["values"]![0]!.GetValue<double>());
        Assert.True(stats.Exit == 0, stats.Err);
        var json = JsonNode.Parse(stats.Out)!;
        Assert.Equal(5, json["rows"]!.GetValue<long>());
        Assert.StartsWith("2024-04-01T00:00:00", json["newest_event_time"]!.GetValue<string>());
        var flights = json["features"]![1]!;
        Assert.Equal(("flights", 19.0 / 5), (flights["feature"]!.GetValue<string>(), flights["mean"]!.GetValue<double>()));
    }

    [Fact]
    public async Task StatsRecord_StoresTheFiguresAgainstTheCurrentViewVersion_WithTheInterval()
    {
        await AppliedAsync();

        var plain = await Features("stats", "airport_delays");
        var recorded = await Features("stats", "airport_delays", "--record", "--start", "2024-01-01", "--end", "2024-02-01", "-o", "json");
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("source: flights", "source: flights\n    ttl: 2d"));
        Assert.Equal(0, (await Features("apply")).Exit);
        var again = await Features("stats", "airport_delays", "--record");

        Assert.True(plain.Exit == 0, plain.Err);
        Assert.True(recorded.Exit == 0, recorded.Err);
        Assert.Equal((1, 1L), (JsonNode.Parse(recorded.Out)!["view_version"]!.GetValue<int>(), JsonNode.Parse(recorded.Out)!["recorded_number"]!.GetValue<long>()));
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("Recorded as statistics #2 of features:/airport_delays@2.", again.Out);
        using var cairn = CairnClient.Open(Store);
        var snapshots = await cairn.Features.ListStatisticsAsync("airport_delays");
        Assert.Equal([(2, 4L), (1, 3L)], snapshots.Select(s => (s.ViewVersion, s.Statistics.Rows))); // plain stats recorded nothing
        Assert.Equal((new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero)), (snapshots[1].Start, snapshots[1].End));
        Assert.Equal((3L, 34.5 / 3), (snapshots[1].Statistics.Features[0].Count, snapshots[1].Statistics.Features[0].Mean!.Value));
        Assert.Null(snapshots[0].Start);
    }

    [Fact]
    public async Task BadInput_IsRefusedWithAClearMessage()
    {
        await AppliedAsync();
        await File.WriteAllTextAsync(Path.Combine(Project, "bad.json"), "{not json");
        await File.WriteAllTextAsync(Path.Combine(Project, "object.json"), """{"Origin": "SEA"}""");
        await File.WriteAllTextAsync(Path.Combine(Project, "late.json"), """[{"Origin": "SEA", "event_time": "yesterday", "avg_delay": 1}]""");

        AssertUserError(await Features("materialize", "--start", "soon"), "--start 'soon' is not a date or time");
        AssertUserError(await Features("materialize", "--start", "2024-02-01", "--end", "2024-01-01"), "is not after the start");
        AssertUserError(await Features("materialize", "--start", "2024-01-01", "--view", "nope"), "Unknown feature view 'nope'");
        AssertUserError(await Features("get-online", "--service", "delay_v1", "--entity", "SEA"), "is not KEY=V1,V2");
        AssertUserError(await Features("get-online", "--service", "delay_v2", "--entity", "Origin=SEA"), "Unknown feature service 'delay_v2'");
        AssertUserError(await Features("get-online", "--entity", "Origin=SEA"), "Give either --service");
        AssertUserError(await Features("push", "airport_delays", "--rows", "bad.json"), "not valid JSON");
        AssertUserError(await Features("push", "airport_delays", "--rows", "object.json"), "a JSON array of objects");
        AssertUserError(await Features("push", "airport_delays", "--rows", "late.json"), "'event_time' must be an ISO 8601 instant");
        AssertUserError(await Features("push", "airport_delays", "--rows", "missing.json"), "does not exist");
        AssertUserError(await Features("stats", "nope"), "Unknown feature view 'nope'");
        AssertUserError(await Features("stats", "nope", "--record"), "features:/nope is not registered");
        AssertUserError(await Features("get-online", "--service", "delay_v1", "--entity", "Origin=SEA", "--online-store", "http://example.com/x"), "is not an online store");
    }
}
