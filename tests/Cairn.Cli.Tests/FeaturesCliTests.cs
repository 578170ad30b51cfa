using DuckDB.NET.Data;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn features</c> on an embedded store: plan, apply, list, show, diff and get-historical from a project folder, and bad input.</summary>
public sealed class FeaturesCliTests : CliRunner
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
            ttl: 7d
            features: [{name: avg_delay_7d, type: double}]
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay_7d]
        """;

    private string Project => Folder.File("project");

    private void WriteProject(string definitions = Definitions)
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        File.WriteAllText(Path.Combine(Project, "features", "delays.yaml"), definitions);
        File.WriteAllText(Path.Combine(Project, "data", "delays.csv"),
            "Origin,event_time,avg_delay_7d\nSEA,2024-01-01 00:00:00,10.5\nSEA,2024-01-03 00:00:00,20.5\nJFK,2024-01-01 00:00:00,3.5\n");
        File.WriteAllText(Path.Combine(Project, "entities.csv"),
            "flight,Origin,event_timestamp\na,SEA,2024-01-02 00:00:00\nb,SEA,2024-01-04 00:00:00\nc,JFK,2024-01-20 00:00:00\n");
    }

    private async Task<(int Exit, string Out, string Err)> Features(params string[] args) => await Cairn(["features", .. args, "-C", Project]);

    private static void AssertUserError((int Exit, string Out, string Err) result, string messagePart)
    {
        Assert.NotEqual(0, result.Exit);
        Assert.StartsWith("error: ", result.Err);
        Assert.Contains(messagePart, result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    internal static List<object?[]> ReadParquet(string path)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''")}')";
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        return rows;
    }

    [Fact]
    public async Task PlanApplyListShowDiff_FollowTheDefinitionsVersionByVersion()
    {
        WriteProject();
        var plan = await Features("plan");
        Assert.True(plan.Exit == 0, plan.Err);
        Assert.Contains("+ feature_view airport_delays", plan.Out);
        Assert.Contains("+ feature_service delay_v1", plan.Out);

        var apply = await Features("apply");
        Assert.True(apply.Exit == 0, apply.Err);
        Assert.Contains("features:/airport_delays@1", apply.Out);
        Assert.Contains("No changes", (await Features("apply")).Out);

        File.WriteAllText(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("ttl: 7d", "ttl: 12h"));
        var changed = await Features("plan");
        Assert.Contains("~ feature_view airport_delays", changed.Out);
        Assert.Contains("ttl", changed.Out);
        Assert.DoesNotContain("feature_service", changed.Out);
        Assert.Contains("features:/airport_delays@2", (await Features("apply")).Out);

        var list = await Features("list");
        Assert.Equal(0, list.Exit);
        Assert.Contains("features:/airport_delays@2", list.Out);
        Assert.Contains("delay_v1@1  airport_delays:avg_delay_7d", list.Out);
        var show = await Features("show", "airport_delays");
        Assert.Contains("ttl:            12h", show.Out);
        Assert.Contains("versions:       2, 1", show.Out);
        Assert.Contains("ttl:            7d", (await Features("show", "features:/airport_delays@1")).Out);
        var diff = await Features("diff", "features:/airport_delays@1", "features:/airport_delays@2");
        Assert.Equal(0, diff.Exit);
        Assert.Contains("features:/airport_delays@1 -> features:/airport_delays@2:", diff.Out);
        Assert.Contains("ttl 7d -> 12h", diff.Out);
    }

    [Fact]
    public async Task Apply_IncompatibleChange_IsRefusedNamingTheServiceUnlessForced()
    {
        WriteProject();
        Assert.Equal(0, (await Features("apply")).Exit);
        File.WriteAllText(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("avg_delay_7d, type: double", "avg_delay_7d, type: int64"));

        Assert.Contains("! incompatible: airport_delays:avg_delay_7d changes type double -> int64, and service 'delay_v1' uses it", (await Features("plan")).Out);
        AssertUserError(await Features("apply"), "service 'delay_v1'");
        Assert.Contains("versions:       1", (await Features("show", "airport_delays")).Out);

        var forced = await Features("apply", "--force");
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.Contains("features:/airport_delays@2", forced.Out);
    }

    [Fact]
    public async Task GetHistorical_ByServiceOrFeatures_JoinsAsOfEachRowWithSourcesReadFromTheProject()
    {
        WriteProject();
        Assert.Equal(0, (await Features("apply")).Exit);

        var byService = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "train.parquet");
        Assert.True(byService.Exit == 0, byService.Err);
        Assert.Contains("3 row(s), 1 feature(s)", byService.Out);
        // SEA on the 2nd sees the 1st's value, on the 4th the 3rd's; JFK's value is 19 days old, past the 7-day TTL.
        Assert.Equal([10.5, 20.5, null], ReadParquet(Path.Combine(Project, "train.parquet")).Select(r => r[3]));

        var byFeatures = await Features("get-historical", "--features", "airport_delays:avg_delay_7d", "--entities", "entities.csv", "--out", "out/train2.parquet");
        Assert.True(byFeatures.Exit == 0, byFeatures.Err);
        Assert.Equal([10.5, 20.5, null], ReadParquet(Path.Combine(Project, "out", "train2.parquet")).Select(r => r[3]));
    }

    [Fact]
    public async Task GetHistorical_BadInput_IsAClearErrorAndWritesNothing()
    {
        WriteProject();
        AssertUserError(await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "t.parquet"), "No feature views are registered");
        Assert.Equal(0, (await Features("apply")).Exit);
        AssertUserError(await Features("get-historical", "--service", "nope", "--entities", "entities.csv", "--out", "t.parquet"), "nope");
        File.WriteAllText(Path.Combine(Project, "no-key.csv"), "flight,event_timestamp\na,2024-01-02 00:00:00\n");
        AssertUserError(await Features("get-historical", "--service", "delay_v1", "--entities", "no-key.csv", "--out", "t.parquet"), "Origin");
        AssertUserError(await Features("get-historical", "--service", "delay_v1", "--features", "airport_delays:avg_delay_7d", "--entities", "entities.csv", "--out", "t.parquet"), "one of the two");
        AssertUserError(await Features("get-historical", "--features", "airport_delays", "--entities", "entities.csv", "--out", "t.parquet"), "not a feature reference");
        Assert.False(File.Exists(Path.Combine(Project, "t.parquet")));
    }

    [Fact]
    public async Task Commands_BadDefinitionsOrUnknownNames_AreClearErrors()
    {
        WriteProject(Definitions.Replace("timestamp_field", "timestamp_feild"));
        AssertUserError(await Features("plan"), "'timestamp_feild' is not a key of a source");
        AssertUserError(await Features("apply"), "delays.yaml");
        WriteProject();
        Assert.Equal(3, (await Features("show", "nope")).Exit);
        AssertUserError(await Features("show", "features:/airport_delays@0"), "version number");
        AssertUserError(await Features("plan", "--definitions", "missing"), "no feature definitions");
    }
}
