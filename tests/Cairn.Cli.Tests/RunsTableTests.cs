using Cairn.Testing;

namespace Cairn.Cli.Tests;

/// <summary>`runs list` and `runs search` in terminals of 80 and 120 columns, and piped.</summary>
public class RunsTableTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<(int Exit, string Out, string Err)> Cairn(int? width, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _folder.File("store"), .. args], stdout, stderr, width);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs shaped like the quickstart's: nine params, seven metrics, names like lightgbm-200x63.</summary>
    private List<string> SeedQuickstartLikeRuns()
    {
        using var cairn = CairnClient.Open(_folder.File("store"));
        var ids = new List<string>();
        foreach (var (trainer, trees, auc) in new[] { ("FastTree", 50, 0.712345), ("LightGbm", 200, 0.731234), ("LightGbm", 100, 0.725678) })
        {
            using var run = cairn.StartRun("delay", runName: $"{trainer.ToLowerInvariant()}-{trees}x63");
            run.LogParams(new Dictionary<string, object?>
            {
                ["trainer"] = trainer, ["number_of_trees"] = trees, ["number_of_leaves"] = 63, ["learning_rate"] = 0.05,
                ["minimum_example_count_per_leaf"] = 20, ["training_rows"] = 24000, ["test_rows"] = 6000,
                ["label"] = "delay > 15 min", ["dataset"] = "flights-sample.csv",
            });
            run.LogMetrics(new Dictionary<string, double>
            {
                ["auc"] = auc, ["accuracy"] = 0.812345, ["f1"] = 0.312345, ["log_loss"] = 0.456789,
                ["precision"] = 0.612345, ["recall"] = 0.212345, ["training_seconds"] = 12.345678,
            });
            run.LogMetric("test_auc_by_iteration", auc, step: trees);
            ids.Add(run.RunId);
        }
        return ids;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public async Task RunsList_InATerminal_FitsItsWidthWithWholeHeadersNamesAndMetrics(int width)
    {
        var ids = SeedQuickstartLikeRuns();

        var (exit, output, _) = await Cairn(width, "runs", "list", "-e", "delay");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("…", output);
        var table = Lines(output).TakeWhile(l => !l.EndsWith("run(s)", StringComparison.Ordinal)).ToArray();
        Assert.All(table, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
        var headers = table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Run", "Name", "Status", "Started", "Duration", "accuracy"], headers.Take(6));
        Assert.Contains("lightgbm-200x63", output);
        Assert.Contains("0.812345", output);
        if (width >= 120) Assert.Contains("0.731234", output);
        Assert.Contains(ids[1][..8], output);
        Assert.DoesNotContain(ids[1], output); // short ids in a terminal
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public async Task RunsSearch_OrderByAndFilter_ShowTheMetricsTheyMentionFirst(int width)
    {
        SeedQuickstartLikeRuns();

        var (exit, output, _) = await Cairn(width, "runs", "search", "-e", "delay",
            "--filter", "params.trainer = 'LightGbm' and metrics.recall > 0.1", "--order-by", "metrics.training_seconds DESC");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("…", output);
        var lines = Lines(output);
        Assert.All(lines.TakeWhile(l => !l.EndsWith("run(s)", StringComparison.Ordinal)), line => Assert.True(line.Length <= width, line));
        var headers = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Run", "Name"], headers[..2]);
        Assert.Contains("training_seconds", headers);
        if (width >= 120) Assert.Equal(["Duration", "training_seconds", "recall", "trainer"], headers[4..8]);
        Assert.Contains("12.3457", output);
        Assert.Contains("choose with --columns", output); // what was left out is said
    }

    [Fact]
    public async Task RunsList_Columns_ShowsExactlyThoseInThatOrder()
    {
        SeedQuickstartLikeRuns();

        var (exit, output, _) = await Cairn(80, "runs", "list", "-e", "delay", "--columns", "name,params.trainer,auc");

        Assert.Equal(0, exit);
        Assert.Equal(["Name", "trainer", "auc"], Lines(output)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(output.Contains("fasttree-50x63   FastTree"), output);
    }

    [Fact]
    public async Task RunsList_UnknownColumn_ExitsTwoListingTheColumns()
    {
        SeedQuickstartLikeRuns();

        var (exit, _, err) = await Cairn(80, "runs", "list", "-e", "delay", "--columns", "name,acu");

        Assert.Equal(2, exit);
        Assert.Contains("No column 'acu'", err);
        Assert.Contains("metrics.auc", err);
    }

    [Fact]
    public async Task RunsList_Piped_ShowsEveryColumnAndFullIds()
    {
        var ids = SeedQuickstartLikeRuns();

        var (exit, output, _) = await Cairn(null, "runs", "list", "-e", "delay");

        Assert.Equal(0, exit);
        Assert.Contains(ids[0], output);
        foreach (var key in new[] { "minimum_example_count_per_leaf", "training_seconds", "test_auc_by_iteration", "dataset" }) Assert.Contains(key, output);
        Assert.DoesNotContain("…", output);
        Assert.DoesNotContain("choose with --columns", output);
    }

    [Fact]
    public async Task RunsSearch_IdsOnly_PrintsOneFullIdALine()
    {
        var ids = SeedQuickstartLikeRuns();

        var (exit, output, _) = await Cairn(80, "runs", "search", "-e", "delay", "--order-by", "metrics.auc DESC", "-n", "1", "--ids-only");

        Assert.Equal(0, exit);
        Assert.Equal(ids[1] + Environment.NewLine, output);
    }
}
