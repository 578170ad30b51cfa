using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Models;
using Cairn.Monitoring;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Deployments.Tests.Cli;

/// <summary>
/// <c>cairn deploy</c> as a user runs it: two trained versions of a model in an embedded store, an
/// A/B test served by <c>cairn deploy serve</c> in its own process, outcomes sent as feedback,
/// the report, promotion, rollback, export; and bad input refused with the endpoint unchanged.
/// </summary>
public sealed partial class DeployCliTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private string Store => _folder.File("store");
    private string Log => _folder.File("inference-log");

    public async Task InitializeAsync()
    {
        using var cairn = CairnClient.Open(Store);
        var points = ColoredPoint.Generate(300, seed: 11);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(points);
        foreach (var trees in new[] { 5, 30 })
        {
            var model = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
                .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
                .Append(ml.BinaryClassification.Trainers.FastTree("Label", numberOfLeaves: 4, numberOfTrees: trees)).Fit(data);
            string uri;
            using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, points.Take(2).ToList(), labelColumn: "Label").ModelUri;
            await new ModelRegistry(cairn).RegisterAsync(uri, "points");
        }
        await cairn.Registry.SetAliasAsync("points", "champion", "1");
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", Store, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<string> Ok(params string[] args)
    {
        var (exit, output, error) = await Cli(args);
        Assert.True(exit == 0, $"cairn {string.Join(' ', args)} exited {exit}: {error}{output}");
        return output;
    }

    private async Task Refused(string expected, params string[] args)
    {
        var (exit, output, error) = await Cli(args);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error + output);
        Assert.DoesNotContain("   at ", error + output); // a message, never a stack trace
    }

    private async Task<int> RevisionAsync(string name)
    {
        using var cairn = CairnClient.Open(Store);
        return (await cairn.Endpoints.GetEndpointAsync(name)).Revision;
    }

    [GeneratedRegex(@"on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Address();

    [Fact]
    public async Task An_ab_test_is_served_by_its_own_process_reported_from_feedback_promoted_rolled_back_and_exported()
    {
        Assert.Contains("Created endpoints:/pts", await Ok("deploy", "create", "pts", "--model", "models:/points@champion"));
        await Ok("deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/2", "--split", "50/50",
            "--sticky-by", "header:X-User-Id", "--metric", "conversion");

        using var serve = ChildProcess.StartDll("cairn.dll", ["deploy", "serve", "pts", "--port", "0", "--inference-log", Log, "--poll-seconds", "0.2"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = Store });
        var line = await serve.WaitForLineAsync(l => l.StartsWith("Serving endpoints:/pts", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Groups[1].Value) };

        // Each user sees one version; version 2 converts more often. Outcomes come back as feedback by request id.
        var random = new Random(5);
        var labels = new List<FeedbackLabel>();
        var seen = new Dictionary<string, string>();
        for (var i = 0; i < 400; i++)
        {
            var user = $"user-{i % 80}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/pts/infer")
            {
                Content = JsonContent.Create(new
                {
                    id = $"req-{i}",
                    inputs = new object[]
                    {
                        new { name = "X", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.3f } },
                        new { name = "Y", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.4f } },
                        new { name = "Color", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "red" } },
                    },
                }),
            };
            request.Headers.Add("X-User-Id", user);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var version = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model_version").GetString()!;
            Assert.Equal(seen.TryAdd(user, version) ? version : seen[user], version);
            labels.Add(new FeedbackLabel($"req-{i}", 0, random.NextDouble() < (version == "2" ? 0.7 : 0.2) ? 1 : 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        }
        using (var cairn = CairnClient.Open(Store)) await cairn.Monitors.AddFeedbackAsync(labels);

        JsonElement report = default;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(300); // the log is written behind the requests
            report = JsonDocument.Parse(await Ok("deploy", "ab-report", "pts", "--inference-log", Log, "-o", "json")).RootElement;
        }
        while (report.GetProperty("variants").EnumerateArray().Sum(v => v.GetProperty("assigned").GetInt64()) < 400 && DateTime.UtcNow < deadline);
        var variants = report.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("variant").GetString()!);
        Assert.Equal(400, variants["a"].GetProperty("assigned").GetInt64() + variants["b"].GetProperty("assigned").GetInt64());
        Assert.Equal(seen.Values.Count(v => v == "2") * 5, variants["b"].GetProperty("assigned").GetInt64());
        Assert.True(variants["b"].GetProperty("lift").GetDouble() > 0);
        Assert.Contains("b", report.GetProperty("verdict").GetString());

        var status = await Ok("deploy", "status", "pts", "--url", http.BaseAddress!.ToString());
        Assert.Contains("live (revision", status);
        Assert.Matches(@"a +50%", status);

        Assert.Contains("champion -> version 2", await Ok("deploy", "promote", "pts", "b"));
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await Ok("deploy", "status", "pts", "--url", http.BaseAddress!.ToString())).Contains("b            100%") && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Contains("b            100%", await Ok("deploy", "status", "pts", "--url", http.BaseAddress!.ToString()));

        Assert.Contains("a=models:/points/1 (50%), b=models:/points/2 (50%)", await Ok("deploy", "rollback", "pts"));
        var history = await Ok("deploy", "history", "pts", "-o", "json");
        Assert.Equal(["rolled_back", "promoted", "ab_started", "created"],
            JsonDocument.Parse(history).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));

        var exported = _folder.File("k8s");
        Assert.Contains("Wrote", await Ok("deploy", "export", "pts", "--target", "kubernetes", "--out", exported));
        Assert.Contains("kind: HorizontalPodAutoscaler", string.Concat(Directory.GetFiles(exported).Select(File.ReadAllText)));
        serve.Kill();
    }

    [Fact]
    public async Task Cairn_server_hosts_an_endpoint_on_its_own_port_and_follows_changes_made_through_its_api()
    {
        await Ok("deploy", "create", "pts", "--model", "models:/points/1");
        var port = FreePort();
        using var server = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", Store, "--no-scheduler", "--endpoint", $"pts={port}", "--inference-log", Log]);
        var listening = await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(90));
        var api = Regex.Match(listening, @"http://127\.0\.0\.1:\d+").Value;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        async Task<string> VersionAsync()
        {
            using var response = await http.PostAsJsonAsync("/v2/models/pts/infer", new
            {
                inputs = new object[]
                {
                    new { name = "X", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.3f } },
                    new { name = "Y", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.4f } },
                    new { name = "Color", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "red" } },
                },
            });
            response.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("model_version").GetString()!;
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { Assert.Equal("1", await VersionAsync()); break; }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { await Task.Delay(200); }
        }

        // A change made through the server's REST API (the CLI pointed at it) is served at the next poll.
        var stdout = new StringWriter();
        Assert.Equal(0, await CairnCli.RunAsync(["--tracking-uri", api, "deploy", "promote", "pts"], stdout, new StringWriter()));
        Assert.Equal(0, await CairnCli.RunAsync(["--tracking-uri", api, "deploy", "canary", "pts", "--model", "models:/points/2", "--steps", "50,100", "--interval", "1h"], stdout, new StringWriter()));
        var versions = new HashSet<string>();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (versions.Count < 2 && DateTime.UtcNow < deadline) versions.Add(await VersionAsync());
        Assert.Equal(["1", "2"], versions.Order());
        server.Kill();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_message_and_the_endpoint_is_unchanged()
    {
        await Refused("version=99) not found", "deploy", "create", "pts", "--model", "models:/points/99");
        await Ok("deploy", "create", "pts", "--model", "models:/points/1");
        var revision = await RevisionAsync("pts");

        await Refused("sum to 90", "deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/2", "--split", "50/40", "--metric", "c");
        await Refused("'a' is used twice", "deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "a=models:/points/2", "--split", "50/50", "--metric", "c");
        await Refused("version=7) not found", "deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/7", "--split", "50/50", "--metric", "c");
        await Refused("Invalid split", "deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/2", "--split", "half/half", "--metric", "c");
        await Refused("increasing percents", "deploy", "canary", "pts", "--model", "models:/points/2", "--steps", "5,3,100");
        await Refused("its live variant is v1", "deploy", "canary", "pts", "--model", "models:/points/2", "--baseline", "nope");
        await Refused("header:<Name>", "deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/2", "--split", "50/50", "--metric", "c", "--sticky-by", "cookie:x");
        await Refused("nothing to roll back", "deploy", "rollback", "pts");
        await Refused("no shadow", "deploy", "shadow", "pts", "--stop");
        await Refused("kubernetes", "deploy", "export", "pts", "--target", "nomad");
        Assert.Equal(revision, await RevisionAsync("pts"));

        await Ok("deploy", "ab", "pts", "--variant", "a=models:/points/1", "--variant", "b=models:/points/2", "--split", "50/50", "--metric", "c");
        await Refused("promote one before a canary", "deploy", "canary", "pts", "--model", "models:/points/2", "--variant", "c", "--baseline", "a");
        await Refused("no endpoint named 'nope'", "deploy", "status", "nope");
        await Refused("Invalid endpoint name", "deploy", "create", "../x", "--model", "models:/points/1");
    }
}
