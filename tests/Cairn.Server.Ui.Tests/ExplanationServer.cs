using System.Text;
using Cairn.Models.Explain;
using Cairn.Registry;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server with a model whose versions have: a global explanation of a text and a numeric
/// feature (1), none (2), a damaged file (3), and features and values written by an attacker (4).
/// </summary>
public sealed class ExplanationServer : IAsyncLifetime
{
    public const string Model = "explained";
    public const string HostileFeature = "\"><img src=x onerror=alert('feature')>";
    public const string HostileValue = "<script>alert('value')</script>";

    /// <summary>Version 1's explanation: Origin matters most (text values), then Distance (numbers), then a feature without a finite value.</summary>
    public static readonly GlobalExplanation Explanation = new("tree_interventional", "identity", "Score", 0.25, 100,
        [new FeatureImportance("Origin", 0.6), new FeatureImportance("Distance", 0.2), new FeatureImportance("Broken", double.NaN)],
        ["Distance", "Origin", "Broken"],
        [["100", "SEA", "1"], ["300", "JFK", "1"], ["200", "SEA", "1"], [null, "SEA", "1"]],
        [[-0.2, 0.5, double.NaN], [0.3, -0.7, double.NaN], [0.1, 0.6, double.NaN], [0.0, 0.4, double.NaN]]);

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        var experiment = await Server.Store.CreateExperimentAsync("explained-experiment");
        var run = await Server.Store.CreateRunAsync(new NewRun(experiment, "ci", 1_760_000_000_000L, "train"));
        await Server.Registry.CreateRegisteredModelAsync(Model, null);
        for (var i = 0; i < 4; i++)
            await Server.Registry.CreateModelVersionAsync(new NewModelVersion(Model, $"runs:/{run.Info.RunId}/model", run.Info.RunId));
        await PutAsync("1", Explanation.ToJson());
        await PutAsync("3", "{ not json");
        var hostile = new GlobalExplanation(HostileValue, HostileValue, HostileValue, -1, 10,
            [new FeatureImportance(HostileFeature, 1.0)], [HostileFeature], [[HostileValue], ["plain"]], [[1.0], [-1.0]]);
        await PutAsync("4", hostile.ToJson());
    }

    private Task PutAsync(string version, string json) =>
        Server.Artifacts.PutAsync(GlobalExplanation.PathOf(Model, version), new MemoryStream(Encoding.UTF8.GetBytes(json)));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
