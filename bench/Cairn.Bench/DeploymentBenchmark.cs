using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cairn.Deployments;
using Cairn.Deployments.Replicas;
using Cairn.Deployments.Routing;
using Cairn.Models;
using Cairn.Serving;

namespace Cairn.Bench;

/// <summary>
/// What an endpoint (issue 18) costs against <c>cairn serve</c>, each measured beside its
/// baseline in the same process and alternated with it (other work on the shared cores moves a
/// single run by more than the differences looked for):
/// the router's overhead (two variants 50/50 against one model), a shadow at 100 % (against the
/// same endpoint without one), and a replica set with its autoscaler under a load step.
/// Every model is ServingBenchmark's (the FastTree flights model, ONNX flavor, micro-batching on,
/// as <c>cairn deploy serve</c> loads an ONNX variant), and every server logs its inferences.
/// </summary>
public static class DeploymentBenchmark
{
    private const int Rounds = 3;
    private const int Seconds = 8;
    private const string Endpoint = "delay";
    /// <summary>The shadow figure's open-loop rate: moderate, well under saturation on these cores.</summary>
    private const double ShadowRate = 3_000;
    /// <summary>The replica set's load step, as shares of its closed-loop capacity (which micro-batching makes far more than the one load generator thread can send).</summary>
    private const double LowShare = 0.05, HighShare = 0.25;
    /// <summary>The replica set's latencies are taken from each request's send: at these rates the generator's own lag would dominate.</summary>
    private static readonly Func<OpenLoopLoad.Sample, double> Service = s => s.ServiceMs;

    private static readonly Dictionary<string, object?> Row = new() { ["Hour"] = 17f, ["DayOfWeek"] = 5f, ["Distance"] = 733f, ["Origin"] = "ORD", ["Destination"] = "LGA" };

    /// <param name="replicasOnly">Only the replica set's figures (no servers, no wrk).</param>
    public static async Task RunAsync(Report report, bool replicasOnly = false, bool shadowOnly = false)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-deployments-");
        try
        {
            var store = Path.Combine(folder.FullName, "store");
            using var cairn = CairnClient.Open(store);
            var registry = new ModelRegistry(cairn);
            var flights = RegistryBenchmark.LoadFlights();
            // Two versions of the served model (the same training logged twice, as a retrain gives) and a challenger of the same size for the shadow.
            var packages = new Dictionary<string, (string Version, ModelPackage Package)>();
            foreach (var version in new[] { "1", "2", "3" })
            {
                var uri = RegistryBenchmark.LogDelayModel(cairn, flights, "deployment-bench", leaves: 31, trees: 100);
                packages[uri] = (version, await ServingFixture.OnnxPackageAsync(registry, uri, Path.Combine(folder.FullName, $"package-{version}")));
            }
            var uris = packages.Keys.ToList();
            if (replicasOnly)
            {
                await ScaleUpAsync(report, store, packages[uris[0]].Package);
                return;
            }
            // As cairn deploy serve loads a variant: its ONNX flavor, micro-batching on.
            Task<ServedModel> Load(string uri, string servedName, CancellationToken ct) =>
                Task.FromResult(new ServedModel(servedName, packages[uri].Version, ModelLoading.Load(packages[uri].Package, "onnx"), new BatchingOptions()));

            await using var single = new ModelHost(await Load(uris[0], Endpoint, CancellationToken.None));
            await using var singleLog = new InferenceLog(Path.Combine(folder.FullName, "log-serve"));
            var (singleApp, singleUrl) = await ServingFixture.StartAsync(new ModelServerOptions(single) { Port = 0, Log = singleLog });

            EndpointVariant[] live = [new("blue", uris[0], 50), new("green", uris[1], 50)];
            await using var routerLog = new InferenceLog(Path.Combine(folder.FullName, "log-endpoint"));
            await using var router = new EndpointRouter(Endpoint, Load, routerLog);
            await router.ApplyAsync(new EndpointRecord(new EndpointSpec(Endpoint, live), 1, 0, 0));
            var (routerApp, routerUrl) = await ServingFixture.StartAsync(new ModelServerOptions(router) { Port = 0, Log = routerLog });

            await using var shadowLog = new InferenceLog(Path.Combine(folder.FullName, "log-shadowed"));
            await using var shadowed = new EndpointRouter(Endpoint, Load, shadowLog);
            await shadowed.ApplyAsync(new EndpointRecord(new EndpointSpec(Endpoint, [.. live, new("challenger", uris[2], 0, VariantRoles.Shadow)],
                Shadow: new ShadowSettings("challenger", 100)), 1, 0, 0));
            var (shadowedApp, shadowedUrl) = await ServingFixture.StartAsync(new ModelServerOptions(shadowed) { Port = 0, Log = shadowLog });

            if (!shadowOnly) RouterOverhead(report, folder.FullName, singleUrl, routerUrl, router, single);
            await ShadowCostAsync(report, routerUrl, shadowedUrl, shadowed);
            if (!shadowOnly) await ScaleUpAsync(report, store, packages[uris[0]].Package);

            foreach (var app in new[] { singleApp, routerApp, shadowedApp }) await app.StopAsync();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Saturation throughput (wrk, 64 connections) and p99 at about half load (wrk, the fewest connections that reach half of cairn serve's peak), router against one model, alternated.</summary>
    private static void RouterOverhead(Report report, string folder, string singleUrl, string routerUrl, EndpointRouter router, ModelHost single)
    {
        double peak = 0;
        foreach (var (label, route, body) in new[] { ("POST /invocations", "/invocations", ServingFixture.MlflowBody), ($"POST /v2/models/{Endpoint}/infer", $"/v2/models/{Endpoint}/infer", ServingFixture.OipBody) })
        {
            var script = Wrk.Script(folder, body, $"{route.Replace('/', '-')}.lua");
            Wrk.Rate(singleUrl + route, script, 3); // warm-up
            Wrk.Rate(routerUrl + route, script, 3);
            var (baseline, routed) = (new List<double>(), new List<double>());
            for (var round = 0; round < Rounds; round++)
            {
                baseline.Add(Wrk.Rate(singleUrl + route, script, Seconds));
                routed.Add(Wrk.Rate(routerUrl + route, script, Seconds));
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label} round {round}: cairn serve {baseline[^1]:N0} req/s, endpoint {routed[^1]:N0} req/s"));
            }
            var (b, r) = (Report.Median(baseline), Report.Median(routed));
            if (peak == 0) peak = b;
            report.Add($"endpoint router, two variants 50/50: single-row {label} at saturation (wrk 64 connections, {Rounds} × {Seconds} s alternated)",
                $"median {r:N0} req/s (runs {Runs(routed)})", $"cairn serve, one model: median {b:N0} req/s (runs {Runs(baseline)})", $"{r / b:P1}", ">= 85% of cairn serve", r >= 0.85 * b);

            if (route != "/invocations") continue;
            // Half load: the fewest connections at which cairn serve reaches half its peak, the same for the endpoint.
            var (connections, rate) = (0, 0.0);
            while (connections < 4 && rate < peak / 2) (rate, _) = Wrk.Latency(singleUrl + route, script, 4, ++connections);
            var (baseP99, routedP99, baseRate, routedRate) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
            for (var round = 0; round < Rounds; round++)
            {
                var (br, bp) = Wrk.Latency(singleUrl + route, script, Seconds, connections);
                var (rr, rp) = Wrk.Latency(routerUrl + route, script, Seconds, connections);
                (baseRate, baseP99, routedRate, routedP99) = ([.. baseRate, br], [.. baseP99, bp], [.. routedRate, rr], [.. routedP99, rp]);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency round {round} ({connections} connections): cairn serve p99 {bp:0.00} ms at {br:N0} req/s, endpoint p99 {rp:0.00} ms at {rr:N0} req/s"));
            }
            var added = Report.Median(routedP99) - Report.Median(baseP99);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"endpoint router: p99 added at about half load, {label} (wrk {connections} connection(s), {Rounds} × {Seconds} s alternated; endpoint median {Report.Median(routedRate):N0} req/s, cairn serve {Report.Median(baseRate):N0} req/s, {Report.Median(baseRate) / peak:P0} of its peak)"),
                string.Create(CultureInfo.InvariantCulture, $"median p99 {Report.Median(routedP99):0.00} ms (runs {string.Join(", ", routedP99.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)))})"),
                string.Create(CultureInfo.InvariantCulture, $"cairn serve: median p99 {Report.Median(baseP99):0.00} ms (runs {string.Join(", ", baseP99.Select(p => p.ToString("0.00", CultureInfo.InvariantCulture)))})"),
                string.Create(CultureInfo.InvariantCulture, $"{added:+0.00;-0.00} ms"), "< 1 ms added", added < 1);
        }
        var split = router.Variants.Select(v => (v.Variant.Name, v.Window.Snapshot().Requests)).ToList();
        Console.Error.WriteLine($"  the router's split over the run: {string.Join(", ", split.Select(s => $"{s.Name} {s.Requests:N0}"))}");
        // The router's own work per request, without HTTP and the model: what the rates above cannot resolve on shared cores.
        var rows = new[] { (IReadOnlyDictionary<string, object?>)Row };
        var results = router.Models[0].Predictor.Predict(rows);
        var (routerNs, hostNs) = (BookkeepingNs(router, rows, results), BookkeepingNs(single, rows, results));
        var requestNs = Environment.ProcessorCount * 1e9 / peak;
        report.Add("endpoint router: its work per request in process (Choose, Scored, Completed on a new HttpContext; 1 thread, median of 15 × 200,000)",
            string.Create(CultureInfo.InvariantCulture, $"{routerNs:N0} ns"), string.Create(CultureInfo.InvariantCulture, $"cairn serve's ModelHost: {hostNs:N0} ns; a whole request at cairn serve's median rate: {requestNs:N0} ns of CPU ({Environment.ProcessorCount} cores / {peak:N0} req/s)"),
            string.Create(CultureInfo.InvariantCulture, $"{(routerNs - hostNs) / requestNs:P1} of a request"), "report", true);
    }

    /// <summary>Primary p99 at a fixed open-loop rate with a shadow at 100 % against the same endpoint without one, alternated.</summary>
    private static async Task ShadowCostAsync(Report report, string plainUrl, string shadowedUrl, EndpointRouter shadowed)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
        var body = Encoding.UTF8.GetBytes(ServingFixture.MlflowBody);
        Func<Task> Post(string url) => async () =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync(url + "/invocations", content).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        };
        async Task<Arm> Measure(string url, int seconds)
        {
            var (pause, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
            var samples = await OpenLoopLoad.RunAsync(Post(url), [new(seconds, ShadowRate)], Stopwatch.GetTimestamp());
            var ok = samples.Where(s => s.Ok).ToList();
            return new Arm(Report.Percentile(ok.Select(s => s.LatencyMs), 0.5), Report.Percentile(ok.Select(s => s.LatencyMs), 0.99),
                Report.Percentile(ok.Select(s => s.ServiceMs), 0.99), samples.Count(s => !s.Ok),
                (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, GC.CollectionCount(2) - gen2);
        }
        await Measure(plainUrl, 3); // warm-up
        await Measure(shadowedUrl, 3);
        var before = shadowed.ShadowSnapshot()!;
        var (without, with) = (new List<Arm>(), new List<Arm>());
        for (var round = 0; round < Rounds; round++)
        {
            without.Add(await Measure(plainUrl, Seconds));
            with.Add(await Measure(shadowedUrl, Seconds));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  shadow round {round}: without {without[^1]}; with {with[^1]}"));
        }
        await Task.Delay(1000); // the shadow's queue drains
        var after = shadowed.ShadowSnapshot()!;
        var offered = (long)(Rounds * Seconds * ShadowRate);
        var (a, b) = (Report.Median(without.Select(w => w.P99)), Report.Median(with.Select(w => w.P99)));
        string P99s(List<Arm> runs) => string.Join(", ", runs.Select(r => r.P99.ToString("0.00", CultureInfo.InvariantCulture)));
        string Details(List<Arm> runs) => string.Create(CultureInfo.InvariantCulture,
            $"p50 {Report.Median(runs.Select(r => r.P50)):0.00} ms; p99 from each request's send {Report.Median(runs.Select(r => r.SendP99)):0.00} ms; GC pauses {Report.Median(runs.Select(r => r.GcPauseMs)):0} ms and {Report.Median(runs.Select(r => (double)r.Gen2)):0} gen2 collections per run");
        var errors = without.Sum(w => w.Errors) + with.Sum(w => w.Errors);
        report.Add(string.Create(CultureInfo.InvariantCulture, $"endpoint with a shadow variant at 100 %: primary p99, single-row POST /invocations open loop at {ShadowRate:N0} req/s ({Rounds} × {Seconds} s alternated; {errors} errors)"),
            string.Create(CultureInfo.InvariantCulture, $"median p99 {b:0.00} ms (runs {P99s(with)}; {Details(with)})"),
            string.Create(CultureInfo.InvariantCulture, $"the same endpoint without a shadow: median p99 {a:0.00} ms (runs {P99s(without)}; {Details(without)})"),
            $"{b / a:P1}", "within 5% of no shadow", b <= 1.05 * a);
        report.Add($"the shadow's copies over those {Rounds} × {Seconds} s (its queue: {ShadowMirror.DefaultCapacity} copies, scored in batches of up to {ShadowMirror.MaxBatchRows} rows, lowest-priority thread)",
            $"{after.Requests - before.Requests:N0} scored, {after.Dropped - before.Dropped:N0} dropped, {after.Failed - before.Failed:N0} failed",
            $"{offered:N0} requests sent", $"{(after.Dropped - before.Dropped) / (double)offered:P2} dropped", "report", true);
    }

    /// <summary>
    /// A replica set (the model in this process plus up to one <c>cairn serve</c> process) with its
    /// autoscaler, under an open-loop load step, driven through <see cref="ReplicaSet.PredictAsync"/>
    /// (written when the router did not route through a replica set; it now does, with these same classes).
    /// </summary>
    private static async Task ScaleUpAsync(Report report, string store, ModelPackage package)
    {
        var cairnDll = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
        var launcher = new TimedLauncher(new ProcessReplicaLauncher("dotnet", [cairnDll], new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store },
            ["--flavor", "onnx", "--name", Endpoint, "--version", "1"]));
        await using var local = new ServedModel(Endpoint, "1", ModelLoading.Load(package, "onnx"), new BatchingOptions());
        IReadOnlyList<IReadOnlyDictionary<string, object?>> rows = [Row];
        // The step's size from the capacity of a set of one replica: 64 callers in a closed loop for 3 s. A set of its own, so
        // that the measured set's latency window (which the autoscaler reads) starts empty.
        double capacity;
        await using (var probe = new ReplicaSet(package.Folder, new LocalReplica(local), launcher))
            capacity = await ClosedLoopRateAsync(() => probe.PredictAsync(rows, CancellationToken.None), 64, TimeSpan.FromSeconds(3));
        await using var set = new ReplicaSet(package.Folder, new LocalReplica(local), launcher);
        Func<Task> predict = () => set.PredictAsync(rows, CancellationToken.None);
        var (low, high) = (LowShare * capacity, HighShare * capacity);
        // The p99 limit from the low rate: the median of its 1 s windows (one stall of the shared cores moves a single window by 100x).
        var calibration = await OpenLoopLoad.RunAsync(() => local.PredictAsync(rows), [new(5, low)], Stopwatch.GetTimestamp());
        var calibrationP99 = Report.Median(Enumerable.Range(1, 4).Select(t => OpenLoopLoad.P99(calibration, t, t + 1, Service) ?? 0));
        var settings = new AutoscalingSettings(TargetConcurrency: 8, MaxP99Ms: Math.Max(1, 4 * calibrationP99), CooldownSeconds: 2);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  replica set: capacity {capacity:N0} predictions/s (closed loop); step {low:N0} -> {high:N0}/s; p99 at the low rate {calibrationP99:0.000} ms, so max_p99_ms {settings.MaxP99Ms:0.###}"));

        const double stepAt = 8, stepSeconds = 25;
        var start = Stopwatch.GetTimestamp();
        launcher.Start = start;
        var scaled = new List<(double At, int From, int To, string Why)>();
        var failed = new List<string>();
        await using (var autoscaler = new Autoscaler(set, settings, 1, 2, interval: TimeSpan.FromSeconds(1)))
        {
            autoscaler.Scaled += (from, to, why) => { lock (scaled) scaled.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, from, to, why)); };
            autoscaler.ScaleFailed += why => { lock (failed) failed.Add(why); };
            var views = new List<(double At, ReplicaLoad Load)>();
            using var stopSampling = new CancellationTokenSource();
            var sampling = Task.Run(async () =>
            {
                while (!stopSampling.IsCancellationRequested)
                {
                    lock (views) views.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, set.SampleLoad()));
                    try { await Task.Delay(1000, stopSampling.Token); } catch (OperationCanceledException) { }
                }
            });
            autoscaler.Start();
            var samples = await OpenLoopLoad.RunAsync(predict, [new(stepAt, low), new(stepSeconds, high)], start);
            await stopSampling.CancelAsync();
            await sampling;
            var served = set.States;
            await autoscaler.DisposeAsync();

            // Sliding 1 s windows, every 0.25 s, by when each request ended.
            var end = stepAt + stepSeconds;
            var windows = Enumerable.Range(0, (int)((end - 1) / 0.25) + 1).Select(i => i * 0.25)
                .Select(t => (From: t, P99: OpenLoopLoad.P99(samples, t, t + 1, Service), InFlight: samples.Where(s => s.EndedAt >= t && s.EndedAt < t + 1).Sum(s => s.ServiceMs) / 1000)).ToList();
            var before = windows.Where(w => w.From >= 2 && w.From + 1 <= stepAt && w.P99 is not null).Select(w => w.P99!.Value).ToList();
            var preP99 = Report.Median(before);
            var after = windows.Where(w => w.From >= stepAt && w.P99 is not null).ToList();
            var peakAfter = after.Max(w => w.P99!.Value);
            var settled = Report.Median(after.Where(w => w.From >= end - 6).Select(w => w.P99!.Value));
            // Recovered: once the 2nd replica serves (or, without one, after the p99 first went above 1.5x), the first window from which
            // the next 2 s of windows all stay within 1.5x of before the step.
            var limit = 1.5 * preP99;
            var firstAbove = after.FindIndex(w => w.P99 > limit);
            var launch = launcher.Launches.FirstOrDefault(l => l.RequestedAt >= stepAt);
            var from = launch is not null ? after.FindIndex(w => w.From >= launch.ReadyAt) : firstAbove + 1;
            double? recovered = null;
            if (firstAbove >= 0 && from >= 0)
                for (var i = from; i + 8 <= after.Count; i++)
                    if (after.Skip(i).Take(8).All(w => w.P99 <= limit)) { recovered = after[i].From + 1 - stepAt; break; }
            var errors = samples.Count(s => !s.Ok);

            foreach (var second in Enumerable.Range(0, (int)end))
            {
                var w = windows.First(x => x.From == second);
                var view = views.Where(v => v.At <= second + 1).Select(v => v.Load).LastOrDefault();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t={second,2}-{second + 1,2} s: p99 {w.P99:0.000} ms, {w.InFlight:0.00} in flight (measured); autoscaler's view: {view?.Replicas} replica(s), {view?.MeanInFlightPerReplica:0.000} in flight per replica, p99 {view?.P99Ms:0.000} ms over {view?.Requests} requests"));
            }
            foreach (var s in scaled) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  scaled at t={s.At:0.0} s: {s.From} -> {s.To} ({s.Why})"));
            foreach (var f in failed) Console.Error.WriteLine($"  scaling failed: {f}");

            var stepInFlight = Report.Median(windows.Where(w => w.From >= stepAt + 1 && w.From + 1 <= end).Select(w => w.InFlight));
            var stepViews = views.Where(v => v.At >= stepAt + 2 && v.At <= end).Select(v => v.Load.MeanInFlightPerReplica * v.Load.Replicas).ToList();
            string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
            var conditions = string.Create(CultureInfo.InvariantCulture,
                $"ReplicaSet.PredictAsync driven directly, not through an EndpointRouter; single rows, open loop {low:N0}/s for {stepAt:0} s then {high:N0}/s for {stepSeconds:0} s ({LowShare:P0} and {HighShare:P0} of the set's closed-loop capacity with 64 callers, {capacity:N0}/s); latency from each request's send; autoscaler every 1 s, cool-down 2 s, target concurrency 8, max_p99_ms {settings.MaxP99Ms:0.###} (4x the low rate's median 1 s p99, at least 1 ms), 1..2 replicas; {errors} errors{(errors > 0 ? $", the first: {samples.First(x => !x.Ok).Error}" : "")}");
            report.Add($"replica set under a load step: p99 over sliding 1 s windows ({conditions})",
                $"after the step: peak {Ms(peakAfter)} ms, last 6 s median {Ms(settled)} ms", $"before the step: median {Ms(preP99)} ms (windows {Ms(before.Min())}-{Ms(before.Max())} ms)",
                string.Create(CultureInfo.InvariantCulture, $"peak {peakAfter / preP99:0.#}x, settled {settled / preP99:0.#}x"), "report", true);
            report.Add("replica set: time from the step until the autoscaler added the 2nd replica (a `cairn serve` process)",
                launch is null ? "never" : string.Create(CultureInfo.InvariantCulture, $"decided after {launch.RequestedAt - stepAt:0.0} s, serving after {launch.ReadyAt - stepAt:0.0} s"),
                launch is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"process start to ready: {launch.ReadyAt - launch.RequestedAt:0.0} s"),
                "", "report", true);
            report.Add("replica set: time from the step until the p99 is back within 1.5x of before the step and stays so for 2 s (counted once the 2nd replica serves)",
                firstAbove < 0 ? "never above 1.5x" : recovered is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:0.0} s") : $"not within the {stepSeconds:0} s after the step",
                string.Create(CultureInfo.InvariantCulture, $"scaling: {(scaled.Count == 0 ? "none" : string.Join("; ", scaled.Select(s => $"{s.From} -> {s.To} at {s.At - stepAt:+0.0;-0.0} s")))}; requests per replica: {string.Join(", ", served.Select(s => $"{s.Id} {s.Requests:N0}"))}"),
                "", "report", true);
            report.Add("replica set: the autoscaler's concurrency during the step (LatencyWindow: busy time over its 30 s span)",
                string.Create(CultureInfo.InvariantCulture, $"median {Report.Median(stepViews):0.000} in flight"),
                string.Create(CultureInfo.InvariantCulture, $"measured by the load generator (Little's law over 1 s windows): median {stepInFlight:0.00} in flight"),
                string.Create(CultureInfo.InvariantCulture, $"{Report.Median(stepViews) / stepInFlight:P0}"), "report", true);
        }
    }

    /// <summary>Nanoseconds per request of what the serving routes ask a target (choose the model, then after scoring and after the response), on a new HttpContext each time.</summary>
    private static double BookkeepingNs(IServingTarget target, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<IReadOnlyDictionary<string, object?>> results)
    {
        const int calls = 200_000;
        var times = new List<double>();
        for (var run = 0; run < 18; run++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
                var model = target.Choose(http, null);
                target.Scored(http, model, rows, results, 0.1);
                target.Completed(http, model, 200, 0.1);
            }
            if (run >= 3) times.Add(clock.Elapsed.TotalNanoseconds / calls); // the first runs let tiered JIT settle
        }
        return Report.Median(times);
    }

    /// <summary>Calls per second with <paramref name="callers"/> callers each waiting for its answer before the next call.</summary>
    private static async Task<double> ClosedLoopRateAsync(Func<Task> call, int callers, TimeSpan duration)
    {
        long count = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await call();
                Interlocked.Increment(ref count);
            }
        })));
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>One run of the shadow figure: latencies from each request's due time (p50, p99) and from its send (p99), errors, and the process's GC over the run.</summary>
    private sealed record Arm(double P50, double P99, double SendP99, int Errors, double GcPauseMs, int Gen2)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"p50 {P50:0.00} ms, p99 {P99:0.00} ms (from send {SendP99:0.00} ms), {Errors} errors, GC pauses {GcPauseMs:0} ms, {Gen2} gen2");
    }

    private static string Runs(IEnumerable<double> rates) => string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)));

    /// <summary>Records when each replica process was asked for and when it was ready, on the load generator's clock.</summary>
    private sealed class TimedLauncher(IReplicaLauncher inner) : IReplicaLauncher
    {
        public sealed record Launch(double RequestedAt, double ReadyAt);

        private readonly List<Launch> _launches = [];
        public long Start { get; set; } = Stopwatch.GetTimestamp();
        public IReadOnlyList<Launch> Launches { get { lock (_launches) return [.. _launches]; } }

        public async Task<IReplica> StartAsync(string modelUri, CancellationToken ct)
        {
            var requested = Stopwatch.GetElapsedTime(Start).TotalSeconds;
            var replica = await inner.StartAsync(modelUri, ct);
            lock (_launches) _launches.Add(new Launch(requested, Stopwatch.GetElapsedTime(Start).TotalSeconds));
            return replica;
        }
    }
}
