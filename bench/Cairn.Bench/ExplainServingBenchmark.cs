using System.Diagnostics;
using System.Text;
using Cairn.Models;
using Cairn.Models.Explain;
using Cairn.Serving;

namespace Cairn.Bench;

/// <summary>
/// Single-row <c>/explain</c> latency over HTTP at low load (one keep-alive connection, one request
/// at a time), beside single-row <c>/infer</c> on the same server in the same run: the FastTree
/// flights model of the serving figures, explained by the explainer <c>cairn serve --explain</c>
/// builds, against 100 background rows of the training data. Bounded by a request count and a time
/// limit each.
/// </summary>
public static class ExplainServingBenchmark
{
    private const int InferRequests = 2_000;
    private const int ExplainRequests = 300;
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-explain-");
        try
        {
            var flights = RegistryBenchmark.LoadFlights();
            using var cairn = CairnClient.Open(folder.FullName);
            var uri = RegistryBenchmark.LogDelayModel(cairn, flights, "explain-bench", leaves: 31, trees: 100);
            var package = await ServingFixture.OnnxPackageAsync(new ModelRegistry(cairn), uri, Path.Combine(folder.FullName, "package"));
            var background = flights.Take(1_000).Select(f => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
                { ["Hour"] = f.Hour, ["DayOfWeek"] = f.DayOfWeek, ["Distance"] = f.Distance, ["Origin"] = f.Origin, ["Destination"] = f.Destination }).ToList();
            var explainer = ModelExplainers.Create(package, background);
            await using var host = new ModelHost(new ServedModel("delay", "1", ModelLoading.Load(package, "onnx"), new BatchingOptions()) { Explainer = explainer });
            var (app, url) = await ServingFixture.StartAsync(new ModelServerOptions(host) { Port = 0 });
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(url) };
                var infer = await LatenciesAsync(http, "/v2/models/delay/infer", InferRequests);
                var explain = await LatenciesAsync(http, "/v2/models/delay/explain", ExplainRequests);
                var (inferP99, explainP99) = (Report.Percentile(infer, 0.99), Report.Percentile(explain, 0.99));
                report.Add($"explanations: single-row POST /v2/models/delay/explain ({explainer.Method}, {Math.Min(background.Count, new ExplainOptions().MaxBackgroundRows)} background rows), one connection, {explain.Count} requests",
                    $"p99 {explainP99:F1} ms (median {Report.Median(explain):F1} ms)", $"/infer p99 {inferP99:F2} ms (median {Report.Median(infer):F2} ms, {infer.Count} requests)",
                    $"{explainP99 / inferP99:N1}x", "< 5 ms", explainP99 < 5);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Per-request milliseconds of up to <paramref name="count"/> sequential requests (after a tenth as many for warm-up), stopping at the time limit.</summary>
    private static async Task<List<double>> LatenciesAsync(HttpClient http, string route, int count)
    {
        for (var i = 0; i < count / 10; i++) await SendAsync(http, route);
        var latencies = new List<double>(count);
        var limit = Stopwatch.StartNew();
        while (latencies.Count < count && limit.Elapsed < TimeLimit)
        {
            var clock = Stopwatch.StartNew();
            await SendAsync(http, route);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        return latencies;
    }

    private static async Task SendAsync(HttpClient http, string route)
    {
        using var response = await http.PostAsync(route, new StringContent(ServingFixture.OipBody, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{route} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await response.Content.CopyToAsync(Stream.Null);
    }
}
