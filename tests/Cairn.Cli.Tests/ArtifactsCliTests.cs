using System.Text.Json.Nodes;

namespace Cairn.Cli.Tests;

/// <summary>`cairn artifacts` on paths that exist, files, and paths that do not.</summary>
public class ArtifactsCliTests : CliRunner
{
    [Fact]
    public async Task ArtifactsList_PathThatDoesNotExist_ExitsThreeSayingSo()
    {
        var id = SeedRuns(1)[0];

        var (exit, output, err) = await Cairn("artifacts", "list", $"runs:/{id}/nosuch");

        Assert.Equal(3, exit);
        Assert.Contains("does not exist", err);
        Assert.Contains("nosuch", err);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task ArtifactsList_AFile_ListsThatFile()
    {
        var id = SeedRuns(1)[0];

        var (exit, output, err) = await Cairn("artifacts", "list", $"runs:/{id}/model/importance.csv", "-o", "json");

        Assert.True(exit == 0, err);
        var file = Assert.Single(JsonNode.Parse(output)!["files"]!.AsArray())!;
        Assert.Equal("model/importance.csv", file["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task ArtifactsDownload_OutputJson_ListsTheFilesWritten()
    {
        var id = SeedRuns(1)[0];

        var (exit, output, err) = await Cairn("artifacts", "download", $"runs:/{id}/model", "--dest", Folder.File("model"), "--output", "json");

        Assert.True(exit == 0, err);
        var files = JsonNode.Parse(output)!["files"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.Equal([Path.Combine(Folder.File("model"), "importance.csv")], files);
    }
}
