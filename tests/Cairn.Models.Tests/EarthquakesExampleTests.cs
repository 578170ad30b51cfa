using Cairn.Examples.Earthquakes;
using Cairn.Testing;

namespace Cairn.Models.Tests;

/// <summary>The Earthquakes example end to end, against the embedded store and against a real server over a socket.</summary>
public sealed class EarthquakesExampleTests
{
    [Fact]
    public async Task RunsAgainstTheEmbeddedStore()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.File("store"));

        await RunAndCheck(cairn);
    }

    [Fact]
    public async Task RunsAgainstARealServer()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = server.Client();

        await RunAndCheck(cairn);
    }

    private static async Task RunAndCheck(CairnClient cairn)
    {
        var output = new StringWriter();

        var result = await EarthquakesExample.RunAsync(cairn, output);

        var version = await cairn.Registry.GetModelVersionAsync(result.ModelName, result.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(result.RunId, version.RunId);
        Assert.Equal(result.Version, cairn.GetModelVersion(result.ModelUri).Version);
        var run = await cairn.Tracking.GetRunAsync(result.RunId);
        Assert.Equal(result.Rmse, run.Data.Metrics.Single(m => m.Key == "test_root_mean_squared_error").Value, 9);
        Assert.Contains(run.Inputs!.DatasetInputs, d => d.Dataset.Name == "earthquakes");

        // Autologged: the trainer's options, the validation curve ending at the held-out RMSE (340 rows, all in the
        // curve's sample), feature importance beside the package.
        Assert.Equal("200", run.Data.Params.Single(p => p.Key == "trainer.NumberOfTrees").Value);
        var curve = (await cairn.Tracking.GetMetricHistoryAsync(result.RunId, "validation_rmse")).Items.OrderBy(m => m.Step).ToList();
        Assert.Equal(200, curve[^1].Step);
        Assert.Equal(result.Rmse, curve[^1].Value, 4);
        Assert.Contains(await cairn.ListArtifactsAsync(new RunUri(result.RunId, "")), f => f.Path == "feature_importance.csv");

        // The RMSE by hand, from the registered model's own predictions on the held-out rows (missing values sent as null).
        using var model = await cairn.LoadModelAsync(result.ModelUri);
        var predictions = model.Predict(result.TestRows.Select(q => q.ToInput()).ToList());
        var squared = result.TestRows.Zip(predictions, (q, p) => Math.Pow((float)p["Score"]! - q.Magnitude, 2)).ToList();
        Assert.Contains(result.TestRows, q => float.IsNaN(q.DepthKm));
        Assert.True(double.IsFinite(result.Rmse));
        Assert.Equal(Math.Sqrt(squared.Average()), result.Rmse, 3);
        Assert.True(result.RSquared > 0.5, $"r2 {result.RSquared}: the magnitude is mostly explained by the inputs");

        Assert.True(float.IsFinite(result.MissingDepthMagnitude));
        Assert.Contains("magnitude", output.ToString());
    }
}
