using System.Globalization;
using Cairn.Testing;

namespace Cairn.Models.Tests;

/// <summary>
/// The README's first command, examples/Quickstart, run as its own process as a user runs it:
/// against the embedded store (CAIRN_TRACKING_URI a folder) and against a real server over a socket.
/// </summary>
public sealed class QuickstartExampleTests
{
    [Fact]
    public async Task RunsAgainstTheEmbeddedStore()
    {
        using var folder = new TempFolder();
        var store = folder.File("store");

        await RunQuickstart(store);

        using var cairn = CairnClient.Open(store);
        Check(cairn);
    }

    [Fact]
    public async Task RunsAgainstARealServer()
    {
        await using var server = await RunningServer.StartAsync();

        await RunQuickstart(server.BaseUri.ToString());

        using var cairn = server.Client();
        Check(cairn);
    }

    private static async Task RunQuickstart(string trackingUri)
    {
        using var quickstart = ChildProcess.StartDll("Quickstart.dll", [], new Dictionary<string, string> { ["CAIRN_TRACKING_URI"] = trackingUri });
        var exit = await quickstart.WaitAsync(TimeSpan.FromMinutes(10));
        Assert.True(exit == 0, quickstart.StandardOutput + quickstart.StandardError);
        Assert.Contains("promotion to champion: Promoted", quickstart.StandardOutput);
    }

    /// <summary>Six runs with their curves and metrics; the champion is version 1 from the run with the best AUC.</summary>
    private static void Check(CairnClient cairn)
    {
        var runs = cairn.SearchRuns("quickstart-delay");
        Assert.Equal(6, runs.Count);
        Assert.All(runs, r => Assert.InRange(r.Metrics["auc"], 0.5, 1.0));
        var best = cairn.GetBestRun("quickstart-delay", "auc", higherIsBetter: true)!;
        Assert.Equal(best.Metrics["auc"], runs.Max(r => r.Metrics["auc"]));

        var champion = cairn.GetModelVersion("models:/quickstart-delay@champion");
        Assert.Equal(1, champion.Version);
        Assert.Equal(best.RunId, champion.RunId);
        Assert.Equal(int.Parse(best.Params["number_of_trees"], CultureInfo.InvariantCulture) / 10,
            cairn.Tracking.GetMetricHistoryAsync(best.RunId, "test_auc_by_iteration").GetAwaiter().GetResult().Items.Count);
        using var model = cairn.LoadModel("models:/quickstart-delay@champion");
        Assert.InRange((float)model.Predict(new Dictionary<string, object?>
        {
            ["Hour"] = 18f, ["DayOfWeek"] = 5f, ["Month"] = 7f, ["Distance"] = 700f, ["Origin"] = "ORD", ["Destination"] = "ATL",
        })["Probability"]!, 0f, 1f);
    }
}
