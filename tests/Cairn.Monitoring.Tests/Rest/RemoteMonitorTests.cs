using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Monitoring.Tests.EndToEnd;

namespace Cairn.Monitoring.Tests.Rest;

/// <summary>
/// The monitor loop driven only through a running server: created with the CLI, labels posted to
/// /api/2.0/cairn/feedback, run with the CLI (the runner then reads and writes through the REST
/// stores and the artifact proxy), read back as runs, an HTML report, Prometheus gauges and the UI page.
/// </summary>
public sealed class RemoteMonitorTests : IAsyncLifetime
{
    private RemoteMonitorServer _server = null!;
    private MonitoredPoints Points => _server.Points;

    public async Task InitializeAsync() => _server = await RemoteMonitorServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string MonitorFile(string name, string? webhook = null)
    {
        var path = Points.Folder.File($"{name}.yaml");
        File.WriteAllText(path, $"""
            name: {name}
            model: models:/points@champion
            window: 2h
            inference_log: {Points.LogFolder}
            performance: {"{"}prediction: Probability, slices: [Color]{"}"}
            alerts:
              - {"{"}name: drifting, rule: "drift_share > 0.3", severity: critical{"}"}
            """ + (webhook is null ? "" : $"\ndestinations:\n  - {{type: webhook, url: \"{webhook}\"}}\n"));
        return path;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task AssertUserError(HttpResponseMessage response, string expectedInMessage)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var error = JsonNode.Parse(body)!;
        // A value of the wrong JSON type is a malformed body (BAD_REQUEST, as MLflow); a wrong value is INVALID_PARAMETER_VALUE.
        Assert.Contains(error["error_code"]!.GetValue<string>(), new[] { "INVALID_PARAMETER_VALUE", "BAD_REQUEST" });
        Assert.Contains(expectedInMessage, error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body);
    }

    [Fact]
    public async Task RemoteUser_CreatesRunsAndReadsAMonitor_ThroughTheServerOnly()
    {
        await Points.ServeAsync(Point.Generate(300, seed: 2, shift: 0.6f), "req-");
        var (exit, output, error) = await _server.Cli("monitor", "create", "--file", MonitorFile("points-remote"));
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");

        // Labels for every served row, and some for requests this model never answered.
        var labels = new JsonArray();
        foreach (var s in Points.Served)
            labels.Add(new JsonObject { ["request_id"] = s.RequestId, ["row"] = s.Row, ["label"] = s.Point.Label ? 1 : 0 });
        for (var i = 0; i < 50; i++) labels.Add(new JsonObject { ["request_id"] = $"unknown-{i}", ["row"] = 0, ["label"] = 1 });
        using (var posted = await _server.Http.PostAsync("/api/2.0/cairn/feedback", Json(new JsonObject { ["labels"] = labels }.ToJsonString())))
        {
            var body = await posted.Content.ReadAsStringAsync();
            Assert.True(posted.IsSuccessStatusCode, body);
            Assert.Equal(350, JsonNode.Parse(body)!["stored"]!.GetValue<int>()); // unknown ids are stored too: they may be logged later
        }

        (exit, output, error) = await _server.Cli("monitor", "run", "points-remote", "-C", Points.Repo);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("Performance on 300 labelled rows", output); // only the labels that match a logged row count

        using var remote = CairnClient.Open(_server.Url);
        var run = Assert.Single(await remote.Monitors.ListMonitorRunsAsync("points-remote"));
        Assert.Equal(MonitorRunStatuses.Succeeded, run.Status);
        Assert.Equal(300, run.Values["rows"]);
        Assert.Equal(3000, run.Values["reference_rows"]);
        Assert.Equal(1, run.Values["drift(X)"]);
        Assert.Equal(300, run.Values["labelled_rows"]);
        Assert.InRange(run.Values["auc"], 0.5, 1);
        var tracking = await remote.Tracking.GetRunAsync(run.TrackingRunId!);
        Assert.Contains(tracking.Data.Metrics, m => m.Key == "drift_share");
        var artifacts = await _server.Http.GetStringAsync($"/api/2.0/mlflow/artifacts/list?run_id={run.TrackingRunId}");
        Assert.Contains("\"report.json\"", artifacts);
        Assert.Contains("\"report.html\"", artifacts);

        (exit, output, error) = await _server.Cli("monitor", "runs", "points-remote");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("succeeded", output);

        var html = Points.Folder.File("remote-report.html");
        (exit, output, error) = await _server.Cli("monitor", "report", "points-remote", "--html", html);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("<svg", await File.ReadAllTextAsync(html));

        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("cairn_monitor_value{monitor=\"points-remote\",value=\"drift_share\"}", metrics);
        Assert.Contains("cairn_monitor_value{monitor=\"points-remote\",value=\"labelled_rows\"} 300", metrics);

        using var page = await _server.Http.GetAsync("/monitors/points-remote");
        var pageBody = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode}: {pageBody}");
        Assert.Contains("points-remote", pageBody);
    }

    [Fact]
    public async Task Create_WithAMalformedRule_Is400WithAMessage_OverRestAndTheCli()
    {
        using (var response = await _server.Http.PostAsync("/api/2.0/cairn/monitors/create",
            Json("""{"name": "bad-rule", "model": "models:/points@champion", "alerts": [{"name": "x", "rule": "drift_share >> banana"}]}""")))
            await AssertUserError(response, "drift_share >> banana");

        var (exit, output, error) = await _server.Cli("monitor", "create", "bad-rule", "--model", "models:/points@champion", "--rule", "x: drift_share >> banana");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains("drift_share >> banana", error);
        Assert.DoesNotContain("   at ", error + output);

        using var remote = CairnClient.Open(_server.Url);
        Assert.DoesNotContain(await remote.Monitors.ListMonitorsAsync(), m => m.Name == "bad-rule");
    }

    [Fact]
    public async Task Feedback_WithALabelThatIsNotANumber_Is400_AndStoresNothing()
    {
        using (var response = await _server.Http.PostAsync("/api/2.0/cairn/feedback",
            Json("""{"labels": [{"request_id": "req-0", "row": 0, "label": 1}, {"request_id": "req-1", "row": 0, "label": "yes"}]}""")))
            await AssertUserError(response, "label");
        using (var response = await _server.Http.PostAsync("/api/2.0/cairn/feedback", Json("""{"labels": [{"request_id": "req-2", "row": 0}]}""")))
            await AssertUserError(response, "label");

        using var remote = CairnClient.Open(_server.Url);
        Assert.Empty(await remote.Monitors.GetFeedbackAsync(["req-0", "req-1", "req-2"]));
    }

    [Fact]
    public async Task Run_WhoseLabelsAllMissTheWindow_SaysNoneMatched_AndRecordsZeroLabelledRows()
    {
        await Points.ServeAsync(Point.Generate(100, seed: 3), "served-");
        using var remote = CairnClient.Open(_server.Url);
        Assert.Equal(20, await remote.Monitors.AddFeedbackAsync(
            Enumerable.Range(0, 20).Select(i => new FeedbackLabel($"elsewhere-{i}", 0, 1, 0)).ToList()));
        var (exit, output, error) = await _server.Cli("monitor", "create", "--file", MonitorFile("unlabelled"));
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");

        (exit, output, error) = await _server.Cli("monitor", "run", "unlabelled", "-C", Points.Repo);
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("No feedback labels matched", output);
        var run = Assert.Single(await remote.Monitors.ListMonitorRunsAsync("unlabelled"));
        Assert.Equal(0, run.Values["labelled_rows"]);
        Assert.False(run.Values.ContainsKey("auc"));
    }

    [Fact]
    public async Task RemoteRun_FiringAlert_IsSavedThroughTheServer_AndSentOnce()
    {
        await using var webhook = await RecordingWebhook.StartAsync();
        await Points.ServeAsync(Point.Generate(200, seed: 2, shift: 0.6f), "req-");
        var (exit, output, error) = await _server.Cli("monitor", "create", "--file", MonitorFile("alerting", webhook.Url));
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");

        for (var i = 0; i < 2; i++)
        {
            (exit, output, error) = await _server.Cli("monitor", "run", "alerting", "-C", Points.Repo);
            Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        }
        var posted = Assert.Single(webhook.Bodies); // the second run is within the cool-down
        Assert.Contains("drifting", posted);

        (exit, output, error) = await _server.Cli("monitor", "alerts", "alerting");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("drifting", output);
        Assert.Contains("firing", output);
        using var remote = CairnClient.Open(_server.Url);
        var state = Assert.Single(await remote.Monitors.ListAlertStatesAsync("alerting"));
        Assert.Equal(AlertStates.Firing, state.State);
        Assert.NotEmpty(await remote.Monitors.ListAlertEventsAsync("alerting"));
    }
}
