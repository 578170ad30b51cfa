using Cairn.Tracking;

namespace Cairn.Core.Tests;

public class RunTreeTests
{
    private static Run R(string id, string? parent = null) =>
        new(new RunInfo(id, id, "name-" + id, "1", "u", RunStatus.Finished, 0, null, "", LifecycleStage.Active),
            new RunData([], [], parent is null ? [] : [new RunTag(MlflowTags.ParentRunId, parent)]));

    private static string Draw(IReadOnlyList<RunTreeRow> rows) => string.Join("\n", rows.Select(r => r.Guide + r.Run.Info.RunId));

    [Fact]
    public void Order_PutsChildrenUnderTheirParent_KeepingTheListOrderAmongSiblings()
    {
        var rows = RunTree.Order([R("c2", "p"), R("p"), R("g", "c1"), R("c1", "p"), R("q")]);

        Assert.Equal("p\n├─ c2\n└─ c1\n   └─ g\nq", Draw(rows));
        Assert.Equal([0, 1, 1, 2, 0], rows.Select(r => r.Depth));
    }

    [Fact]
    public void Order_ContinuesTheGuideBelowAChildThatIsNotLast()
    {
        var rows = RunTree.Order([R("p"), R("a", "p"), R("a1", "a"), R("b", "p")]);

        Assert.Equal("p\n├─ a\n│  └─ a1\n└─ b", Draw(rows));
    }

    [Fact]
    public void Order_ShowsOrphansSelfParentsAndCyclesAtTheTopLevel_EachRunOnce()
    {
        var rows = RunTree.Order([R("orphan", "gone"), R("self", "self"), R("x", "y"), R("y", "x")]);

        Assert.Equal(["orphan", "self", "x", "y"], rows.Select(r => r.Run.Info.RunId));
        Assert.Equal([0, 0, 0, 1], rows.Select(r => r.Depth));
    }

    [Fact]
    public void Order_ALongChain_DoesNotOverflowTheStack()
    {
        var runs = Enumerable.Range(0, 100_000).Select(i => R($"r{i}", i == 0 ? null : $"r{i - 1}")).ToList();

        var rows = RunTree.Order(runs);

        Assert.Equal(99_999, rows[^1].Depth);
        Assert.True(rows[^1].Guide.Length <= 3 * RunTree.MaxGuideDepth, $"guide of {rows[^1].Guide.Length} characters");
    }
}
