using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Cairn.Cli.Tests;

/// <summary>Run ids as tables show them (8 characters) work wherever a command takes a run id.</summary>
public class RunIdPrefixTests : CliRunner
{
    [Fact]
    public async Task RunsShow_EightCharacterPrefix_ShowsTheRun()
    {
        var ids = SeedRuns();

        var (exit, output, err) = await Cairn("runs", "show", ids[0][..8], "-o", "json");

        Assert.True(exit == 0, err);
        Assert.Equal(ids[0], JsonNode.Parse(output)!["run"]!["info"]!["run_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompareAndArtifacts_Prefixes_NameTheRuns()
    {
        var ids = SeedRuns();

        var compare = await Cairn("runs", "compare", ids[0][..8], ids[1][..6], "-o", "json");
        var list = await Cairn("artifacts", "list", $"runs:/{ids[0][..8]}/model", "-o", "json");
        var download = await Cairn("artifacts", "download", $"runs:/{ids[1][..8]}/model/importance.csv", "--dest", Folder.File("one.csv"));

        Assert.True(compare.Exit == 0, compare.Err);
        Assert.Equal(ids, JsonNode.Parse(compare.Out)!["runs"]!.AsArray().Select(r => r!["info"]!["run_id"]!.GetValue<string>()));
        Assert.True(list.Exit == 0, list.Err);
        Assert.Equal("model/importance.csv", JsonNode.Parse(list.Out)!["files"]![0]!["path"]!.GetValue<string>());
        Assert.True(download.Exit == 0, download.Err);
        Assert.Equal("feature,gain\n", await File.ReadAllTextAsync(Folder.File("one.csv")));
    }

    [Fact]
    public async Task RunsShow_AmbiguousPrefix_ExitsTwoListingTheCandidates()
    {
        var ids = SeedRuns(3);
        // Ids are random: give two of them the same first eight characters.
        var shared = "abcd1234" + ids[1][8..];
        using (var db = new SqliteConnection($"Data Source={Path.Combine(Store, "cairn.db")};Pooling=false"))
        {
            db.Open();
            using var update = db.CreateCommand();
            update.CommandText = "UPDATE runs SET run_uuid = 'abcd1234' || substr(run_uuid, 9) WHERE run_uuid IN ($a, $b)";
            update.Parameters.AddWithValue("$a", ids[0]);
            update.Parameters.AddWithValue("$b", ids[1]);
            Assert.Equal(2, update.ExecuteNonQuery());
        }

        var (exit, _, err) = await Cairn("runs", "show", "abcd12");
        var unique = await Cairn("runs", "show", shared[..12], "-o", "json");

        Assert.Equal(2, exit);
        Assert.Contains("starts 2 run ids", err);
        Assert.Contains("abcd1234" + ids[0][8..], err);
        Assert.Contains(shared, err);
        Assert.Contains("run-1", err);
        Assert.True(unique.Exit == 0, unique.Err);
    }

    [Theory]
    [InlineData("0000", 3, "No run id starts with '0000'")]
    [InlineData("abc", 2, "at least 4")]
    [InlineData("nothex", 2, "not a 32-character hex run id")]
    public async Task RunsShow_PrefixThatNamesNoRun_ExitsNonZeroSayingWhy(string prefix, int expectedExit, string message)
    {
        SeedRuns();
        var (exit, output, err) = await Cairn("runs", "show", prefix);
        Assert.Equal(expectedExit, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("   at ", err + output);
    }
}
