using Cairn.Tracking;

namespace Cairn.Cli.Tests;

/// <summary>`cairn runs list` draws child runs under their parent; `runs show` names parent, children, inputs and the experiment.</summary>
public class NestedRunsCliTests : CliRunner
{
    /// <summary>A parent with two children, one of which has a child of its own, and a lone run; returns their ids.</summary>
    private (string Parent, string Fold1, string Fold2, string Inner, string Lone) SeedTree()
    {
        using var cairn = CairnClient.Open(Store);
        using var parent = cairn.StartRun("cv", runName: "sweep");
        string fold1, fold2, inner;
        using (var f1 = parent.StartChildRun("fold-1"))
        {
            fold1 = f1.RunId;
            using var i = f1.StartChildRun("inner");
            inner = i.RunId;
        }
        using (var f2 = parent.StartChildRun("fold-2")) fold2 = f2.RunId;
        using var lone = cairn.StartRun("cv", runName: "lone");
        return (parent.RunId, fold1, fold2, inner, lone.RunId);
    }

    [Fact]
    public async Task RunsList_DrawsChildrenUnderTheirParent()
    {
        var ids = SeedTree();

        var (exit, output, err) = await Cairn("runs", "list", "-e", "cv", "-c", "id,name");

        Assert.True(exit == 0, err);
        var lines = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Contains("sweep") || l.Contains("fold") || l.Contains("inner") || l.Contains("lone")).ToList();
        var sweep = lines.FindIndex(l => l.Contains(ids.Parent));
        Assert.True(sweep >= 0, output);
        // Newest first among siblings, as the list is: fold-2 started after fold-1.
        Assert.Contains("├─ " + ids.Fold2, lines[sweep + 1]);
        Assert.Contains("└─ " + ids.Fold1, lines[sweep + 2]);
        Assert.Contains("   └─ " + ids.Inner, lines[sweep + 3]);
        Assert.DoesNotContain("─", lines.Single(l => l.Contains(ids.Lone)));
    }

    [Fact]
    public async Task RunsList_IdsOnly_StaysOneBareIdALine()
    {
        var ids = SeedTree();

        var (exit, output, _) = await Cairn("runs", "list", "-e", "cv", "--ids-only");

        Assert.Equal(0, exit);
        var printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { ids.Parent, ids.Fold1, ids.Fold2, ids.Inner, ids.Lone }.Order(), printed.Order());
    }

    [Fact]
    public async Task RunsShow_PrintsTheParentTheChildrenAndTheExperimentName()
    {
        var ids = SeedTree();

        var parent = await Cairn("runs", "show", ids.Parent);
        var fold = await Cairn("runs", "show", ids.Fold1);

        Assert.Equal(0, parent.Exit);
        Assert.Contains("Child runs", parent.Out);
        Assert.Contains(ids.Fold1, parent.Out);
        Assert.Contains(ids.Fold2, parent.Out);
        Assert.DoesNotContain(ids.Inner, parent.Out); // a grandchild is its own parent's child
        Assert.DoesNotContain("Parent run", parent.Out);
        Assert.Contains("cv (", parent.Out);
        Assert.Contains("Parent run", fold.Out);
        Assert.Contains(ids.Parent, fold.Out);
        Assert.Contains(ids.Inner, fold.Out);
    }

    [Fact]
    public async Task RunsShow_PrintsDatasetInputs_AndEscapesHostileNames()
    {
        string runId;
        using (var cairn = CairnClient.Open(Store))
        {
            await cairn.Tracking.GetOrCreateExperimentAsync("[red]exp[/]");
            using var run = cairn.StartRun("[red]exp[/]");
            run.LogInput("[bold]flights[/]", "blake3:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "s3://bucket/flights.csv", context: "validation");
            runId = run.RunId;
        }

        var (exit, output, err) = await Cairn("runs", "show", runId);

        Assert.True(exit == 0, err);
        Assert.Contains("Dataset inputs", output);
        Assert.Contains("[bold]flights[/]", output);
        Assert.Contains("0123456789ab", output);
        Assert.DoesNotContain("0123456789abcdef0123", output);
        Assert.Contains("validation", output);
        Assert.Contains("s3://bucket/flights.csv", output);
        Assert.Contains("[red]exp[/]", output);
    }

    [Fact]
    public async Task ModelsList_ShowsTheFirstLineOfEachDescription_Cut()
    {
        using (var cairn = CairnClient.Open(Store))
        {
            await cairn.Registry.CreateRegisteredModelAsync("delay", "Predicts departure delay.\nSecond line that should not show.");
            await cairn.Registry.CreateRegisteredModelAsync("long", new string('x', 200));
        }

        var (exit, output, err) = await Cairn("models", "list");

        Assert.True(exit == 0, err);
        Assert.Contains("Predicts departure delay.…", output);
        Assert.DoesNotContain("Second line", output);
        Assert.Contains(new string('x', 40), output);
        Assert.DoesNotContain(new string('x', 100), output);
    }
}
