using System.Text.Json.Nodes;
using Cairn.Testing;
using Npgsql;

namespace Cairn.Cli.Tests;

/// <summary>
/// <c>cairn features get-historical</c> and <c>materialize</c> on a dataset version (read from the
/// workspace's data cache) and on a PostgreSQL table, each beside a view over the same rows in a
/// CSV file: both views give the same values.
/// </summary>
public sealed class FeaturesSourcesCliTests : CliRunner
{
    private const string Rows = "Origin,event_time,avg_delay,flights\nSEA,2024-01-01 00:00:00,10.5,3\nSEA,2024-01-03 00:00:00,20.5,4\nJFK,2024-01-01 00:00:00,3.5,9\nJFK,2024-03-01 00:00:00,99.5,1\n";

    private string Project => Folder.File("project");

    private async Task<(int Exit, string Out, string Err)> Features(string project, params string[] args) => await Cairn(["features", .. args, "-C", project]);

    private static void Git(string directory, params string[] args) => GitCommand.Run(directory, args);

    /// <summary>A project whose view <c>from_file</c> reads data/delays.csv and <c>from_source</c> the source given; applied.</summary>
    private async Task ApplyAsync(string source)
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"), Rows);
        await File.WriteAllTextAsync(Path.Combine(Project, "entities.csv"), "Origin,event_timestamp\nSEA,2024-01-02 00:00:00\nSEA,2024-01-04 00:00:00\nJFK,2024-02-01 00:00:00\nBOS,2024-01-02 00:00:00\n");
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), $$"""
            entities:
              - name: origin_airport
                join_keys: [{name: Origin, type: string}]
            sources:
              - name: file_delays
                path: data/delays.csv
                timestamp_field: event_time
            {{source}}
            feature_views:
              - name: from_file
                entities: [origin_airport]
                source: file_delays
                features: [{name: avg_delay, type: double}, {name: flights, type: int64}]
              - name: from_source
                entities: [origin_airport]
                source: delays
                features: [{name: avg_delay, type: double}, {name: flights, type: int64}]
            """);
        var apply = await Features(Project, "apply");
        Assert.True(apply.Exit == 0, apply.Err);
    }

    /// <summary>Builds a training set with both views and checks they agree, then materializes and reads the source's view online.</summary>
    private async Task AssertBothViewsAgreeAsync()
    {
        var built = await Features(Project, "get-historical", "--features", "from_file:avg_delay,from_file:flights,from_source:avg_delay,from_source:flights",
            "--full-feature-names", "--entities", "entities.csv", "--out", "train.parquet");
        Assert.True(built.Exit == 0, built.Err);
        var rows = FeaturesCliTests.ReadParquet(Path.Combine(Project, "train.parquet"));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(r[2..4], r[4..6]));
        Assert.Equal([10.5, 20.5, 3.5, null], rows.Select(r => r[4]));

        var materialized = await Features(Project, "materialize", "--start", "2024-01-01", "--end", "2024-02-01", "--view", "from_source");
        Assert.True(materialized.Exit == 0, materialized.Err);
        Assert.Contains("from_source: 2 key(s) read, 2 written", materialized.Out);
        var online = await Features(Project, "get-online", "--features", "from_source:avg_delay,from_source:flights", "--entity", "Origin=SEA,JFK", "-o", "json");
        Assert.True(online.Exit == 0, online.Err);
        var results = JsonNode.Parse(online.Out)!["results"]!;
        Assert.Equal([20.5, 3.5], results[1]!["values"]!.AsArray().Select(n => n!.GetValue<double>()));
        Assert.Equal([4L, 9L], results[2]!["values"]!.AsArray().Select(n => n!.GetValue<long>()));
    }

    [Fact]
    public async Task ADatasetSource_ReadsTheVersionFromTheDataCache_AndSaysWhatToRunWhenItIsNotHere()
    {
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        Git(Project, "init", "-q", "-b", "main", ".");
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"), Rows);
        Assert.Equal(0, (await Cairn("data", "-C", Project, "add", "data/delays.csv")).Exit);
        Git(Project, "add", "-A");
        Git(Project, "commit", "-q", "-m", "delays");
        var tag = await Cairn("data", "-C", Project, "tag", "data/delays.csv", "delays");
        Assert.True(tag.Exit == 0, tag.Err);
        await ApplyAsync("""
              - name: delays
                dataset: data:/delays@1
                timestamp_field: event_time
            """);

        await AssertBothViewsAgreeAsync();

        // Another workspace has neither the cached bytes nor the file: the error names the version and the command that brings it.
        var elsewhere = Folder.File("elsewhere");
        Directory.CreateDirectory(elsewhere);
        Git(elsewhere, "init", "-q", "-b", "main", ".");
        File.Copy(Path.Combine(Project, "entities.csv"), Path.Combine(elsewhere, "entities.csv"));
        var missing = await Features(elsewhere, "get-historical", "--features", "from_source:avg_delay", "--entities", "entities.csv", "--out", "train.parquet");
        var stats = await Features(Project, "stats", "from_source");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("data:/delays@1", missing.Err);
        Assert.Contains("cairn data pull data/delays.csv", missing.Err);
        Assert.Contains("then run the command again", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);
        Assert.False(File.Exists(Path.Combine(elsewhere, "train.parquet")));
        Assert.True(stats.Exit == 0, stats.Err);
        Assert.Contains("from_source: 4 row(s)", stats.Out);
    }

    [Fact]
    public async Task APostgresSource_ReadsTheTable_AndItsErrorsNeverShowTheConnectionString()
    {
        const string secret = "Cli-Secret-9";
        var database = PostgresServer.Instance.NewDatabase();
        var variable = "CAIRN_TEST_FEATURES_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, database.Replace("postgresql://cairn@", $"postgresql://cairn:{secret}@", StringComparison.Ordinal));
        try
        {
            await using (var connection = new NpgsqlConnection(global::Cairn.Storage.Postgres.PostgresDatabase.ConnectionString(database).ConnectionString))
            {
                await connection.OpenAsync();
                var values = string.Join(", ", Rows.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(','))
                    .Select(f => $"('{f[0]}', '{f[1]}+00', {f[2]}, {f[3]})"));
                await using var create = new NpgsqlCommand(
                    $"CREATE TABLE delays (\"Origin\" text, event_time timestamptz, avg_delay double precision, flights integer, notes text); " +
                    $"INSERT INTO delays (\"Origin\", event_time, avg_delay, flights) VALUES {values}", connection);
                await create.ExecuteNonQueryAsync();
            }
            await ApplyAsync($"""
                  - name: delays
                    table: public.delays
                    connection: {variable}
                    timestamp_field: event_time
                """);

            await AssertBothViewsAgreeAsync();

            await using (var connection = new NpgsqlConnection(global::Cairn.Storage.Postgres.PostgresDatabase.ConnectionString(database).ConnectionString))
            {
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand("DROP TABLE delays", connection);
                await drop.ExecuteNonQueryAsync();
            }
            var missing = await Features(Project, "materialize", "--start", "2024-01-01", "--view", "from_source");
            Assert.NotEqual(0, missing.Exit);
            Assert.Contains("there is no PostgreSQL table public.delays", missing.Err);
            Assert.DoesNotContain(secret, missing.Err + missing.Out);
            Assert.DoesNotContain("   at ", missing.Err);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
