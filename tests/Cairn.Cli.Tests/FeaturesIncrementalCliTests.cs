using System.Text.Json.Nodes;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn features materialize-incremental</c> on an embedded store with its default SQLite online store.</summary>
public sealed class FeaturesIncrementalCliTests : CliRunner
{
    private static string Definitions(string ttl) => $$"""
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
            {{ttl}}
            features: [{name: avg_delay, type: double}]
        """;

    private const string Rows = "Origin,event_time,avg_delay\nSEA,2024-01-01 00:00:00,10.5\nSEA,2024-01-03 00:00:00,20.5\nJFK,2024-01-01 00:00:00,3.5\nJFK,2024-03-01 00:00:00,99.5\n";

    private string Project => Folder.File("project");

    private async Task<(int Exit, string Out, string Err)> Features(params string[] args) => await Cairn(["features", .. args, "-C", Project]);

    private async Task AppliedAsync(string ttl)
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions(ttl));
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"), Rows);
        var apply = await Features("apply");
        Assert.True(apply.Exit == 0, apply.Err);
    }

    private async Task<JsonNode> OnlineAsync(string origins)
    {
        var online = await Features("get-online", "--features", "airport_delays:avg_delay", "--entity", $"Origin={origins}", "-o", "json");
        Assert.True(online.Exit == 0, online.Err);
        return JsonNode.Parse(online.Out)!["results"]![1]!;
    }

    [Fact]
    public async Task MaterializeIncremental_TwiceWithTtl_SecondRunReadsOnlyTheNewInterval_AndARowAddedBetweenAppears()
    {
        await AppliedAsync("ttl: 30d");
        // Recent days, so that lookups today are within the ttl.
        var day0 = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-20);
        string Day(double days) => day0.AddDays(days).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"),
            $"Origin,event_time,avg_delay\nSEA,{Day(0)},10.5\nSEA,{Day(2)},20.5\nJFK,{Day(0)},3.5\nJFK,{Day(60)},99.5\n");

        var first = await Features("materialize-incremental", "--end", Day(1));
        await File.AppendAllTextAsync(Path.Combine(Project, "data", "delays.csv"), $"BOS,{Day(4)},7.25\nSFO,{Day(0.5)},1.0\n");
        var second = await Features("materialize-incremental", "--end", Day(10));
        var again = await Features("materialize-incremental", "--end", Day(10));

        Assert.True(first.Exit == 0, first.Err);
        Assert.Contains($"airport_delays: events from {day0.AddDays(1 - 30):O}, 2 key(s) read", first.Out); // end minus the ttl
        Assert.True(second.Exit == 0, second.Err);
        Assert.Contains($"airport_delays: events from {day0.AddDays(1):O}, 2 key(s) read", second.Out); // SEA's newer row and BOS; not JFK, not SFO's late row
        Assert.Contains("up to date", again.Out);
        var delay = await OnlineAsync("SEA,BOS,JFK,SFO");
        Assert.Equal(["PRESENT", "PRESENT", "PRESENT", "NOT_FOUND"], delay["statuses"]!.AsArray().Select(n => n!.GetValue<string>())); // SFO: late data behind the watermark, as in Feast
        Assert.Equal([20.5, 7.25, 3.5], delay["values"]!.AsArray().Take(3).Select(n => n!.GetValue<double>()));
    }

    [Fact]
    public async Task MaterializeIncremental_ViewWithoutTtlNeverMaterialized_AsksForMaterializeStart_ThenContinuesFromIt()
    {
        await AppliedAsync("");

        var refused = await Features("materialize-incremental", "--end", "2024-02-01");
        var afterRefusal = await OnlineAsync("SEA");
        var once = await Features("materialize", "--start", "2024-01-01", "--end", "2024-01-02");
        var incremental = await Features("materialize-incremental", "--end", "2024-02-01");

        Assert.NotEqual(0, refused.Exit);
        Assert.StartsWith("error: ", refused.Err);
        Assert.Contains("materialize --start", refused.Err);
        Assert.DoesNotContain("   at ", refused.Err);
        Assert.Equal("NOT_FOUND", afterRefusal["statuses"]![0]!.GetValue<string>()); // the refused run wrote nothing
        Assert.True(once.Exit == 0, once.Err);
        Assert.True(incremental.Exit == 0, incremental.Err);
        Assert.Contains("airport_delays: events from 2024-01-02T00:00:00.0000000+00:00, 1 key(s) read", incremental.Out);
        Assert.Equal(20.5, (await OnlineAsync("SEA"))["values"]![0]!.GetValue<double>());
    }

    [Fact]
    public async Task MaterializeIncremental_BadEndOrUnknownView_IsAUserError()
    {
        await AppliedAsync("ttl: 1d");

        var badEnd = await Features("materialize-incremental", "--end", "yesterday-ish");
        var unknown = await Features("materialize-incremental", "--view", "nope");

        Assert.NotEqual(0, badEnd.Exit);
        Assert.Contains("--end 'yesterday-ish' is not a date", badEnd.Err);
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("Unknown feature view 'nope'", unknown.Err);
    }
}
