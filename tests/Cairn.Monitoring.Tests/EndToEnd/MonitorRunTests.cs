using Cairn.Features;

namespace Cairn.Monitoring.Tests.EndToEnd;

/// <summary>
/// <c>cairn monitor run</c> over a real served model's inference log against the data it was
/// trained on (found through lineage), with labels sent later and a real webhook.
/// </summary>
public sealed class MonitorRunTests : IAsyncLifetime
{
    private MonitoredPoints _points = null!;
    private RecordingWebhook _webhook = null!;

    public async Task InitializeAsync()
    {
        _points = await MonitoredPoints.CreateAsync();
        _webhook = await RecordingWebhook.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _webhook.DisposeAsync();
        await _points.DisposeAsync();
    }

    private Task<(int Exit, string Out, string Err)> Cli(params string[] args) =>
        MonitoredPoints.Cli(["--tracking-uri", _points.Store, .. args]);

    private MonitorSpec Spec(string name, IReadOnlyList<string>? features = null) => new(name, "models:/points@champion", Window: "1h",
        InferenceLog: _points.LogFolder, Features: features,
        Performance: new PerformanceSettings(Prediction: "Probability", Slices: ["Color"]),
        Alerts: [new AlertRuleSpec("drifting", "drift_share > 0.3", "critical"), new AlertRuleSpec("auc-low", "auc < 0.5")],
        Destinations: [new AlertDestination(AlertDestinationTypes.Webhook, _webhook.Url)]);

    [Fact]
    public async Task Run_FlagsTheShiftedColumn_JoinsLaterLabels_AlertsOnce_AndRecordsTheReport()
    {
        var current = Point.Generate(1000, seed: 2, shift: 0.6f);
        await _points.ServeAsync(current, "req-");
        using var cairn = CairnClient.Open(_points.Store);
        // Ground truth arrives after the answers, keyed by request id and row.
        await cairn.Monitors.AddFeedbackAsync(_points.Served.Select(s => new FeedbackLabel(s.RequestId, s.Row, s.Point.Label ? 1 : 0, 0)).ToList());
        await cairn.Monitors.CreateMonitorAsync(Spec("points-drift"));

        var (exit, output, error) = await Cli("monitor", "run", "points-drift", "-C", _points.Repo);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        var run = Assert.Single(await cairn.Monitors.ListMonitorRunsAsync("points-drift"));
        Assert.Equal(MonitorRunStatuses.Succeeded, run.Status);
        Assert.Equal(1000, run.Values["rows"]);
        Assert.Equal(3000, run.Values["reference_rows"]); // data:/points@1, found through the model's lineage
        Assert.Equal(1, run.Values["drift(X)"]);
        Assert.Equal(0, run.Values["drift(Y)"]);
        Assert.Equal(0, run.Values["drift(Color)"]);
        Assert.True(run.Values["out_of_range(X)"] > 0.5, $"out_of_range(X) = {run.Values["out_of_range(X)"]}");
        Assert.Equal(1000, run.Values["labelled_rows"]);
        Assert.Equal(ExactAuc(_points.Served.Select(s => (s.Probability, s.Point.Label)).ToList()), run.Values["auc"], 9);
        Assert.Contains("X", output);
        Assert.Contains("drifted", output);

        var posted = Assert.Single(_webhook.Bodies);
        Assert.Contains("drifting", posted);
        Assert.Contains("firing", posted);
        Assert.DoesNotContain("auc-low", posted);

        var tracking = await cairn.Tracking.GetRunAsync(run.TrackingRunId!);
        Assert.Contains(tracking.Data.Metrics, m => m.Key == "drift_share" && m.Value == run.Values["drift_share"]);
        Assert.Contains(tracking.Data.Metrics, m => m.Key == "drift/X" && m.Value == 1);
        Assert.Contains(tracking.Inputs!.DatasetInputs, i => i.Dataset.Source == "data:/points@1" && i.Context == "reference");

        // Still drifting an instant later: de-duplicated within the cool-down, nothing sent.
        (exit, output, error) = await Cli("monitor", "run", "points-drift", "-C", _points.Repo);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Single(_webhook.Bodies);
        Assert.Equal(2, (await cairn.Monitors.ListMonitorRunsAsync("points-drift")).Count);

        var html = _points.Folder.File("report.html");
        (exit, output, error) = await Cli("monitor", "report", "points-drift", "--html", html);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("<svg", page);
        Assert.Contains("id=\"col-Color\"", page);
        Assert.Contains("Drift share over time", page); // two runs: a line
    }

    [Fact]
    public async Task Run_AgainstAFeatureViewsRows_ComparesTheLoggedInputsWithTheFeatureValues_InTheInterval()
    {
        await _points.ServeAsync(Point.Generate(1000, seed: 2, shift: 0.6f), "feat-");
        File.WriteAllLines(Path.Combine(_points.Repo, "point_features.csv"), new[] { "id,event_time,X,Y,Color" }
            .Concat(_points.Reference.Select((p, i) => FormattableString.Invariant($"{i},2024-01-0{1 + i % 2} 00:00:00,{p.X},{p.Y},{p.Color}"))));
        using var cairn = CairnClient.Open(_points.Store);
        await cairn.Features.ApplyAsync(new FeatureRepository([new EntityDefinition("point", [new FeatureField("id", FeatureType.Int64)])],
            [new FeatureSourceDefinition("points", FeatureSourceKinds.File, "event_time", Path: "point_features.csv")],
            [new FeatureViewDefinition("point_features", ["point"], "points",
                [new FeatureField("X", FeatureType.Double), new FeatureField("Y", FeatureType.Double), new FeatureField("Color", FeatureType.String)])], []));
        await cairn.Monitors.CreateMonitorAsync(Spec("points-features") with { Reference = "features:/point_features?start=2024-01-02" });
        await cairn.Monitors.CreateMonitorAsync(Spec("points-features-empty") with { Reference = "features:/point_features@1?end=2023-12-31" });
        var temporary = Directory.GetDirectories(Path.GetTempPath(), "cairn-feature-reference-*").Length;

        var (exit, output, error) = await Cli("monitor", "run", "points-features", "-C", _points.Repo);
        var empty = await Cli("monitor", "run", "points-features-empty", "-C", _points.Repo);

        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        var run = Assert.Single(await cairn.Monitors.ListMonitorRunsAsync("points-features"));
        Assert.Equal(1500, run.Values["reference_rows"]); // the events of 2 January only
        Assert.Equal(1, run.Values["drift(X)"]);
        Assert.Equal(0, run.Values["drift(Y)"]);
        Assert.Equal(0, run.Values["drift(Color)"]);
        Assert.Contains("features:/point_features@1?start=2024-01-02T00:00:00Z", output);
        Assert.NotEqual(0, empty.Exit);
        Assert.Contains("has no rows", empty.Err);
        Assert.Equal(temporary, Directory.GetDirectories(Path.GetTempPath(), "cairn-feature-reference-*").Length); // the exported rows are deleted
    }

    [Fact]
    public async Task Run_OverAWindowWithNoRows_SucceedsAndSaysSo_AndFailOnDriftIsZero()
    {
        using var cairn = CairnClient.Open(_points.Store);
        await cairn.Monitors.CreateMonitorAsync(Spec("quiet"));
        var (exit, output, error) = await Cli("monitor", "run", "quiet", "-C", _points.Repo, "--fail-on-drift");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("No rows were logged", output);
        var run = Assert.Single(await cairn.Monitors.ListMonitorRunsAsync("quiet"));
        Assert.Equal(0, run.Values["rows"]);
        Assert.Equal(0, run.Values["dataset_drift"]);
        Assert.Empty(_webhook.Bodies);
    }

    [Fact]
    public async Task Run_NamingAColumnTheModelDoesNotHave_FailsClearly_AndRecordsTheFailure()
    {
        await _points.ServeAsync(Point.Generate(20, seed: 3), "few-");
        using var cairn = CairnClient.Open(_points.Store);
        await cairn.Monitors.CreateMonitorAsync(Spec("wrong-columns", features: ["X", "Label"]));
        var (exit, output, error) = await Cli("monitor", "run", "wrong-columns", "-C", _points.Repo);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains("does not have the column Label", error);
        Assert.DoesNotContain("   at ", error);
        var run = Assert.Single(await cairn.Monitors.ListMonitorRunsAsync("wrong-columns"));
        Assert.Equal(MonitorRunStatuses.Failed, run.Status);
        Assert.Contains("Label", run.Error);
    }

    [Fact]
    public async Task Compare_TwoFiles_FlagsOnlyTheShiftedColumn_AndFailOnDriftExitsOne()
    {
        string Write(string name, IEnumerable<Point> rows)
        {
            var path = _points.Folder.File(name);
            File.WriteAllLines(path, new[] { "X,Y,Color" }.Concat(rows.Select(p => FormattableString.Invariant($"{p.X},{p.Y},{p.Color}"))));
            return path;
        }
        var reference = Write("a.csv", Point.Generate(2000, seed: 4));
        var same = Write("b.csv", Point.Generate(2000, seed: 5));
        var shifted = Write("c.csv", Point.Generate(2000, seed: 6, shift: 0.5f));

        var (exit, output, error) = await MonitoredPoints.Cli("monitor", "compare", reference, same, "--fail-on-drift");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("Dataset drift: no", output);

        // One column of three drifts: under the default share (0.5) the dataset does not, at 0.3 it does.
        (exit, output, error) = await MonitoredPoints.Cli("monitor", "compare", reference, shifted, "--fail-on-drift");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        (exit, output, error) = await MonitoredPoints.Cli("monitor", "compare", reference, shifted, "--fail-on-drift", "--drift-share", "0.3", "--output", "json");
        Assert.True(exit == 1, $"exit {exit}: {error}{output}");
        Assert.Contains("\"drift(X)\": 1", output);
        Assert.Contains("\"drift(Y)\": 0", output);

        (exit, _, error) = await MonitoredPoints.Cli("monitor", "compare", reference, _points.Folder.File("missing.csv"));
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", error);
    }

    /// <summary>AUC by its definition: the share of (positive, negative) pairs ranked right, ties counting half.</summary>
    private static double ExactAuc(IReadOnlyList<(double Score, bool Label)> rows)
    {
        var positives = rows.Where(r => r.Label).Select(r => r.Score).ToList();
        var negatives = rows.Where(r => !r.Label).Select(r => r.Score).ToList();
        double right = 0;
        foreach (var p in positives)
            foreach (var n in negatives)
                right += p > n ? 1 : p == n ? 0.5 : 0;
        return right / ((double)positives.Count * negatives.Count);
    }
}
