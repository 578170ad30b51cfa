namespace Cairn.Cli.Tests;

/// <summary><c>cairn monitor</c> on an embedded store: create from options and YAML, list, show, feedback.</summary>
public sealed class MonitorCliTests : CliRunner
{
    [Fact]
    public async Task Create_FromOptions_IsListedAndShown()
    {
        var (exit, stdout, stderr) = await Cairn("monitor", "create", "delay-drift", "--model", "models:/delay@champion", "--reference", "data:/flights@3",
            "--window", "30m", "--schedule", "0 * * * *", "--feature", "Distance", "--feature", "Origin",
            "--rule", "drift: drift_share > 0.3", "--alert", "psi(Distance) > 0.2", "--severity", "critical",
            "--webhook", "https://hooks.example.com/x", "--slack", "https://hooks.slack.com/y", "--retrain-trigger", "retrain");
        Assert.True(exit == 0, stderr);
        Assert.Contains("Monitor 'delay-drift'", stdout);
        Assert.Contains("2 alert rule(s), 3 destination(s)", stdout);

        var list = await Cairn("monitor", "list");
        Assert.Equal(0, list.Exit);
        Assert.Contains("delay-drift", list.Out);
        Assert.Contains("drift, psi-Distance", list.Out);

        var show = await Cairn("monitor", "show", "delay-drift");
        Assert.Equal(0, show.Exit);
        Assert.Contains("alert drift: drift_share > 0.3 (critical, cooldown 1h)", show.Out);
        Assert.Contains("destination:   webhook https://hooks.slack.com/y (slack)", show.Out);
        Assert.Contains("features:      Distance, Origin", show.Out);

        using var client = CairnClient.Open(Store);
        var spec = (await client.Monitors.GetMonitorAsync("delay-drift")).Spec;
        Assert.Equal(("data:/flights@3", "30m", "0 * * * *"), (spec.Reference, spec.Window, spec.Schedule));
        Assert.Equal("retrain", spec.Destinations!.Single(d => d.Type == "pipeline").Trigger);
    }

    [Fact]
    public async Task Create_FromYaml_StoresTheSpec()
    {
        var file = Folder.File("delay-drift.yaml");
        File.WriteAllText(file, """
            name: delay-drift
            model: models:/delay/4
            window: 1h
            features: [Distance, Origin]
            drift:
              method: psi
              drift_share: 0.4
              per_feature:
                Origin: {method: chisquare, kind: categorical}
            alerts:
              - name: drift
                rule: drift_share > 0.3
                severity: critical
            destinations:
              - type: alertmanager
                url: http://alertmanager:9093
            """);

        var (exit, _, stderr) = await Cairn("monitor", "create", "--file", file);

        Assert.True(exit == 0, stderr);
        using var client = CairnClient.Open(Store);
        var spec = (await client.Monitors.GetMonitorAsync("delay-drift")).Spec;
        Assert.Equal(0.4, spec.Drift!.DriftShare);
        Assert.Equal("chisquare", spec.Drift.PerFeature!["Origin"].Method);
        Assert.Equal("critical", spec.Alerts!.Single().Severity);
        Assert.Equal("http://alertmanager:9093", spec.Destinations!.Single().Url);
    }

    [Fact]
    public async Task Create_YamlWithUnknownKey_FailsNamingIt()
    {
        var file = Folder.File("typo.yaml");
        File.WriteAllText(file, "name: typo\nmodel: models:/delay/4\ndrift:\n  methd: psi\n");

        var (exit, _, stderr) = await Cairn("monitor", "create", "--file", file);

        Assert.Equal(2, exit);
        Assert.Contains("unknown key 'drift.methd'", stderr);
        Assert.Contains("No monitors", (await Cairn("monitor", "list")).Out);
    }

    [Fact]
    public async Task Create_BadRule_FailsWithoutAStackTrace()
    {
        var (exit, _, stderr) = await Cairn("monitor", "create", "m", "--model", "models:/delay/1", "--alert", "drift is high");
        Assert.Equal(2, exit);
        Assert.Contains("Invalid alert rule", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Feedback_GoodFile_StoresEveryLabel()
    {
        var file = Folder.File("labels.csv");
        File.WriteAllText(file, "request_id,label,row\nr1,1,0\nr1,0,1\n\"r,2\",1,\n");

        var (exit, stdout, stderr) = await Cairn("monitor", "feedback", file);

        Assert.True(exit == 0, stderr);
        Assert.Contains("Stored 3 labels", stdout);
        using var client = CairnClient.Open(Store);
        var labels = await client.Monitors.GetFeedbackAsync(["r1", "r,2"]);
        Assert.Equal(3, labels.Count);
        Assert.Equal(0, labels.Single(l => l.RequestId == "r,2").Row);
    }

    [Fact]
    public async Task Feedback_BadLine_FailsNamingTheLineAndStoresNothing()
    {
        var file = Folder.File("labels.csv");
        File.WriteAllText(file, "request_id,label\nr1,1\nr2,yes\nr3,0\n");

        var (exit, _, stderr) = await Cairn("monitor", "feedback", file);

        Assert.Equal(2, exit);
        Assert.Contains("line 3", stderr);
        Assert.Contains("'yes' is not a finite number", stderr);
        Assert.Contains("No labels were stored", stderr);
        using var client = CairnClient.Open(Store);
        Assert.Empty(await client.Monitors.GetFeedbackAsync(["r1", "r3"]));
    }

    [Fact]
    public async Task EnableDisableDelete_ChangeTheMonitor()
    {
        Assert.Equal(0, (await Cairn("monitor", "create", "m", "--model", "models:/delay/1")).Exit);
        Assert.Contains("disabled", (await Cairn("monitor", "disable", "m")).Out);
        Assert.Contains("(disabled)", (await Cairn("monitor", "show", "m")).Out);
        Assert.Contains("enabled", (await Cairn("monitor", "enable", "m")).Out);
        Assert.Contains("No alerts", (await Cairn("monitor", "alerts", "m")).Out);
        Assert.Contains("has not run yet", (await Cairn("monitor", "runs", "m")).Out);
        Assert.Equal(0, (await Cairn("monitor", "delete", "m")).Exit);
        Assert.Equal(3, (await Cairn("monitor", "show", "m")).Exit);
    }
}
