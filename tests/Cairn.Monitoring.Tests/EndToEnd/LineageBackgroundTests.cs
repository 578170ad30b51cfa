using Cairn.Models.Explain;
using Cairn.Quality.Explanations;

namespace Cairn.Monitoring.Tests.EndToEnd;

/// <summary>
/// Without a background, explanations use the training data the version's run logged as a
/// <c>data:/</c> input: here data:/points@1, versioned from a git workspace, read from the data cache.
/// </summary>
public sealed class LineageBackgroundTests : IAsyncLifetime
{
    private MonitoredPoints _points = null!;

    public async Task InitializeAsync() => _points = await MonitoredPoints.CreateAsync();

    public async Task DisposeAsync() => await _points.DisposeAsync();

    [Fact]
    public async Task ExplainGlobal_WithoutABackground_ExplainsAgainstTheTrainingDatasetVersion_FoundThroughLineage()
    {
        using var cairn = CairnClient.Open(_points.Store);

        var global = await ModelExplaining.ExplainGlobalAsync(cairn, "models:/points@champion", data: (string?)null, background: null,
            new ExplainOptions { MaxBackgroundRows = 50, Seed = 4 }, maxRows: 20, workspaceDirectory: _points.Repo);

        Assert.Equal(ExplainMethods.TreeInterventional, global.Method);
        Assert.Equal(50, global.BackgroundRows);
        Assert.Equal(["X", "Y", "Color"], global.Features);
        // The explained rows are a sample of the training data itself: every one of them is a reference point.
        var reference = _points.Reference.Select(p => (p.X, p.Y, p.Color)).ToHashSet();
        Assert.Equal(20, global.SampleRows.Count);
        Assert.All(global.SampleRows, row => Assert.Contains((float.Parse(row[0]!, System.Globalization.CultureInfo.InvariantCulture),
            float.Parse(row[1]!, System.Globalization.CultureInfo.InvariantCulture), row[2]!), reference));
        Assert.True(global.Importance.First(i => i.Feature != "Color").MeanAbsShap > 0);
    }

    [Fact]
    public async Task Explain_FromTheCommandLine_WithTheWorkspaceGivenByC_FindsTheTrainingDataWithoutABackground()
    {
        var rows = Path.Combine(_points.Folder.Path, "rows.csv");
        await File.WriteAllTextAsync(rows, "X,Y,Color\n0.9,0.1,red\n0.1,0.8,blue\n");
        var result = await MonitoredPoints.Cli("--tracking-uri", _points.Store, "explain", "models:/points@champion", "--data", rows, "-C", _points.Repo, "-o", "json");
        var outside = await MonitoredPoints.Cli("--tracking-uri", _points.Store, "explain", "models:/points@champion", "--data", rows, "-C", _points.Folder.Path);

        Assert.True(result.Exit == 0, result.Err);
        var json = System.Text.Json.Nodes.JsonNode.Parse(result.Out)!;
        Assert.Equal(100, json["background_rows"]!.GetValue<int>());
        Assert.NotEqual(0, outside.Exit); // outside the workspace the data cache is not there: said, not thrown
        Assert.StartsWith("error: ", outside.Err);
        Assert.DoesNotContain("   at ", outside.Err);
    }
}
