using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Data;
using Cairn.Pipelines;
using Cairn.Storage.Postgres;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Scheduling;

/// <summary>Real <c>cairn server</c> processes: the lease across two servers on one PostgreSQL, and the Alertmanager receiver over a socket.</summary>
public sealed partial class ServerSchedulingTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private ChildProcess StartServer(string store, string artifacts) =>
        ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", store, "--artifacts-destination", artifacts, "--schedule-interval", "0.3",
            "--pipelines-root", Directory.CreateDirectory(_folder.File("work")).FullName]);

    private static async Task<Uri> AddressOf(ChildProcess server)
    {
        var line = await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        return new Uri(Listening().Match(line).Groups[1].Value);
    }

    private string Pipeline(string yaml)
    {
        var workspace = Directory.CreateDirectory(_folder.File("work")).FullName;
        var file = Path.Combine(workspace, "cairn.pipeline.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private static async Task<IReadOnlyList<PipelineFire>> WaitForFiresAsync(IPipelineScheduleStore store, Func<IReadOnlyList<PipelineFire>, bool> done, TimeSpan timeout, params ChildProcess[] servers)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var fires = await store.ListFiresAsync(maxResults: 1000);
            if (done(fires)) return fires;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Fires so far: {string.Join("; ", fires.Select(f => $"{f.SourceName} {f.FireKey} {f.Status} {f.Error}"))}\n"
                    + string.Join("\n", servers.Select(s => s.StandardError)));
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task TwoServersOnOnePostgres_ScheduleEveryTwoSeconds_EachFireTimeRunsExactlyOnePipeline()
    {
        var database = PostgresServer.Instance.NewDatabase();
        var file = Pipeline("name: tick\nsteps:\n  beat:\n    run: echo beat\n");
        using (var stores = await PostgresStores.OpenAsync(database))
            await stores.Schedules.CreateScheduleAsync(new NewPipelineSchedule("every-2s", file, "*/2 * * * * *", "UTC"));
        var artifacts = Directory.CreateDirectory(_folder.File("artifacts")).FullName;

        using var a = StartServer(database, artifacts);
        using var b = StartServer(database, artifacts);
        var address = await AddressOf(a);
        await AddressOf(b);

        using var check = await PostgresStores.OpenAsync(database);
        await WaitForFiresAsync(check.Schedules, f => f.Count(x => x.Status == FireStatuses.Succeeded) >= 4, TimeSpan.FromSeconds(90), a, b);
        await check.Schedules.SetScheduleEnabledAsync("every-2s", false);
        var fires = await WaitForFiresAsync(check.Schedules, f => f.All(x => x.Status is FireStatuses.Succeeded or FireStatuses.Failed), TimeSpan.FromSeconds(60), a, b);

        // Every fire time ran once, on one of the two servers, and recorded one pipeline run.
        Assert.True(fires.Count >= 4);
        Assert.All(fires, f => Assert.Equal(FireStatuses.Succeeded, f.Status));
        Assert.All(fires.GroupBy(f => f.FireKey), g => Assert.Single(g));
        Assert.All(fires, f => Assert.Equal(0, DateTimeOffset.FromUnixTimeMilliseconds(f.FireTime).Second % 2));
        Assert.Equal(fires.Count, fires.Select(f => f.PipelineRunId).Distinct().Count());
        Assert.All(fires, f => Assert.True(Ids.IsValid(f.PipelineRunId)));
        using var client = CairnClient.Open(address.ToString());
        var runs = await new PipelineHistory(client).ListAsync("tick", 1000, CancellationToken.None);
        Assert.Equal(fires.Select(f => f.PipelineRunId).Order(), runs.Select(r => r.Info.RunId).Order());
        Assert.Subset(new HashSet<string?> { OwnerOf(a), OwnerOf(b) }, fires.Select(f => f.Owner?.Split(':')[1]).ToHashSet());
    }

    private static string OwnerOf(ChildProcess server) => server.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private const string ReactYaml = """
        name: react
        params:
          airport: {type: string, default: none}
          data: {type: string, default: none}
        steps:
          note:
            run: echo "${{ params.airport }} ${{ params.data }}" >> seen.txt
        """;

    private static string Webhook(string alertname, string status, string startsAt, string airport) => $$"""
        {
          "version": "4", "groupKey": "{}:{alertname=\"{{alertname}}\"}", "truncatedAlerts": 0, "status": "{{status}}", "receiver": "cairn",
          "groupLabels": {"alertname": "{{alertname}}"}, "commonLabels": {"alertname": "{{alertname}}"}, "commonAnnotations": {},
          "externalURL": "http://alertmanager:9093",
          "alerts": [{
            "status": "{{status}}",
            "labels": {"alertname": "{{alertname}}", "airport": "{{airport}}", "severity": "page", "bad label": "x"},
            "annotations": {"summary": "drift on {{airport}}"},
            "startsAt": "{{startsAt}}", "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph", "fingerprint": "c0ffee"
          }]
        }
        """;

    [Fact]
    public async Task Server_AlertmanagerWebhookAndNewDatasetVersion_FireTheirTriggersWithParameters()
    {
        var file = Pipeline(ReactYaml);
        var store = _folder.File("store");
        using var server = StartServer(store, _folder.File("artifacts"));
        var address = await AddressOf(server);
        using var http = new HttpClient { BaseAddress = address };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, await CairnCli.RunAsync(["--tracking-uri", address.ToString(), "pipeline", "trigger", "add", "on-drift", file, "--on-alert", "DriftHigh"], stdout, stderr));
        Assert.Equal(0, await CairnCli.RunAsync(["--tracking-uri", address.ToString(), "pipeline", "trigger", "add", "on-flights", file, "--on-dataset", "flights"], stdout, stderr));

        var firing = Webhook("DriftHigh", "firing", "2026-12-02T07:00:00Z", "SEA");
        var first = await http.PostAsync("/api/2.0/cairn/pipelines/alerts", new StringContent(firing, Encoding.UTF8, "application/json"));
        var repeat = await http.PostAsync("/api/2.0/cairn/pipelines/alerts", new StringContent(firing, Encoding.UTF8, "application/json"));
        var resolved = await http.PostAsync("/api/2.0/cairn/pipelines/alerts", new StringContent(Webhook("DriftHigh", "resolved", "2026-12-02T07:00:00Z", "SEA"), Encoding.UTF8, "application/json"));
        var otherAlert = await http.PostAsync("/api/2.0/cairn/pipelines/alerts", new StringContent(Webhook("LatencyHigh", "firing", "2026-12-02T07:00:00Z", "JFK"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("\"source_name\":\"on-drift\"", await first.Content.ReadAsStringAsync());
        Assert.Equal("{\"fires\":[]}", await repeat.Content.ReadAsStringAsync()); // Alertmanager's repeat of the same alert
        Assert.Equal("{\"fires\":[]}", await resolved.Content.ReadAsStringAsync());
        Assert.Equal("{\"fires\":[]}", await otherAlert.Content.ReadAsStringAsync());

        using var client = CairnClient.Open(address.ToString());
        await client.Datasets.CreateVersionAsync(new NewDatasetVersion("flights", "blake3:" + new string('a', 64), "file", 1, 1, "f.csv", null, null, null, "alice"));

        var fires = await WaitForFiresAsync(client.Schedules, f => f.Count(x => x.Status == FireStatuses.Succeeded) == 2, TimeSpan.FromSeconds(60), server);
        var seen = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(file)!, "seen.txt")).Order().ToList();
        Assert.Equal(["SEA none", "none data:/flights@1"], seen);
        var alertFire = Assert.Single(fires, f => f.SourceName == "on-drift");
        var run = await client.Tracking.GetRunAsync(alertFire.PipelineRunId!);
        Assert.Contains(run.Data.Params, p => p.Key == "airport" && p.Value == "SEA");
        Assert.Equal("1", Assert.Single(fires, f => f.SourceName == "on-flights").FireKey);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"alerts\": \"DriftHigh\"}")]
    [InlineData("{\"alerts\": [null]}")]
    [InlineData("{\"alerts\": [{\"status\": \"firing\", \"labels\": {}}]}")]
    [InlineData("{\"alerts\": [{\"status\": \"burning\", \"labels\": {\"alertname\": \"DriftHigh\"}}]}")]
    [InlineData("{\"alerts\": [{\"status\": \"firing\", \"labels\": {\"alertname\": 7}}]}")]
    [InlineData("{\"alerts\": [{\"status\": \"firing\", \"labels\": {\"alertname\": \"DriftHigh\"}, \"startsAt\": \"yesterday\"}]}")]
    public async Task AlertsEndpoint_BadPayload_Is400(string body)
    {
        await using var server = await RunningServer.StartAsync();
        var response = await server.Http.PostAsync("/api/2.0/cairn/pipelines/alerts", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"error_code\"", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex Listening();
}
