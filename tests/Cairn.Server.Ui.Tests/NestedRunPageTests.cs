using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>Nested runs in the pages: children under their parent in the runs table, links both ways on a run page.</summary>
public sealed class NestedRunPageTests
{
    [Fact]
    public async Task RunsTable_ShowsChildrenIndentedUnderTheirParent()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.Client();
        string experimentId, parentId, childId, loneId;
        using (var parent = client.StartRun("cv", runName: "sweep"))
        {
            experimentId = parent.ExperimentId;
            parentId = parent.RunId;
            using (var child = parent.StartChildRun("fold-1")) childId = child.RunId;
            using var lone = client.StartRun("cv", runName: "lone");
            loneId = lone.RunId;
        }

        var html = await server.Http.GetStringAsync($"/experiments/{experimentId}");

        // Newest first would put "lone" before "fold-1"; the child follows its parent instead.
        var sweep = html.IndexOf($"/runs/{parentId}\"", StringComparison.Ordinal);
        var fold = html.IndexOf($"/runs/{childId}\"", StringComparison.Ordinal);
        var lonePos = html.IndexOf($"/runs/{loneId}\"", StringComparison.Ordinal);
        Assert.True(lonePos < sweep && sweep < fold, $"lone {lonePos}, sweep {sweep}, fold {fold}");
        Assert.Contains("class=\"child-run\" data-depth=\"1\"", html);
        Assert.Contains("└─", html);
    }

    [Fact]
    public async Task RunPage_LinksItsParent_AndListsItsChildren_WithHostileNamesEscaped()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.Client();
        string parentId, childId;
        using (var parent = client.StartRun("cv", runName: "<script>alert(1)</script>"))
        {
            parentId = parent.RunId;
            using var child = parent.StartChildRun("<img src=x onerror=alert(2)>");
            childId = child.RunId;
        }

        var parentPage = await server.Http.GetStringAsync($"/runs/{parentId}");
        var childPage = await server.Http.GetStringAsync($"/runs/{childId}");

        Assert.Contains("Child runs", parentPage);
        Assert.Contains($"href=\"/runs/{childId}\"", parentPage);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", parentPage);
        Assert.DoesNotContain("<img src=x", parentPage);
        Assert.DoesNotContain("Parent run", parentPage);
        Assert.Contains($"<a class=\"parent-run\" href=\"/runs/{parentId}\">&lt;script&gt;alert(1)&lt;/script&gt;</a>", childPage);
        Assert.DoesNotContain("<script>alert(1)", childPage);
    }

    [Fact]
    public async Task RunPage_AParentThatIsGoneOrHostile_StillRendersASafeLink()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.Client();
        string runId;
        using (var run = client.StartRun("cv", tags: new Dictionary<string, string> { [MlflowTags.ParentRunId] = "javascript:alert(1)//\"><b>" }))
            runId = run.RunId;

        var page = await server.Http.GetStringAsync($"/runs/{runId}");

        Assert.Contains("Parent run", page);
        Assert.Contains("href=\"/runs/javascript%3Aalert", page);
        Assert.DoesNotContain("\"><b>", page);
    }
}
