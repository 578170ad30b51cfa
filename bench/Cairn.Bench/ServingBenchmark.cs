using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Models;
using Cairn.Serving;
using Cairn.Serving.Protocols;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;

namespace Cairn.Bench;

/// <summary>
/// A FastTree flight-delay model served by `cairn serve`'s server (ONNX flavor, micro-batching on,
/// inference log on), loaded by wrk over keep-alive HTTP/1.1 on the same 2 cores; beside it, the
/// same model called in process with no HTTP; and one request of 10,000 rows.
/// </summary>
public static partial class ServingBenchmark
{
    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-serving-");
        try
        {
            var flights = RegistryBenchmark.LoadFlights();
            using var cairn = CairnClient.Open(folder.FullName);
            var uri = RegistryBenchmark.LogDelayModel(cairn, flights, "serving-bench", leaves: 31, trees: 100);
            var registry = new ModelRegistry(cairn);
            var (_, path) = await registry.ResolveAsync(uri);
            var local = Path.Combine(folder.FullName, "package");
            await registry.DownloadPackageAsync(path, local);
            OnnxExport.AddOnnxFlavor(ModelPackage.Open(local));
            var package = ModelPackage.Open(local);

            var row = new Dictionary<string, object?> { ["Hour"] = 17f, ["DayOfWeek"] = 5f, ["Distance"] = 733f, ["Origin"] = "ORD", ["Destination"] = "LGA" };
            using var inProcessModel = ModelLoading.Load(package, "onnx");
            var inProcess = InProcessRate(inProcessModel, row);

            await using var host = new ModelHost(new ServedModel("delay", "1", ModelLoading.Load(package, "onnx"), new BatchingOptions()));
            // The inference log is on, as `cairn serve` runs by default; BENCH_NO_LOG=1 measures the server without it.
            await using var log = new InferenceLog(Path.Combine(folder.FullName, "inference-log"));
            var app = ModelServer.Build(new ModelServerOptions(host) { Port = 0, Log = Environment.GetEnvironmentVariable("BENCH_NO_LOG") is null ? log : null });
            await app.StartAsync();
            var server = (Microsoft.AspNetCore.Hosting.Server.IServer)app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer))!;
            var url = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();

            var mlflowBody = """{"dataframe_split": {"columns": ["Hour", "DayOfWeek", "Distance", "Origin", "Destination"], "data": [[17, 5, 733, "ORD", "LGA"]]}}""";
            var oipBody = """{"inputs": [{"name": "Hour", "shape": [1], "datatype": "FP32", "data": [17]}, {"name": "DayOfWeek", "shape": [1], "datatype": "FP32", "data": [5]}, {"name": "Distance", "shape": [1], "datatype": "FP32", "data": [733]}, {"name": "Origin", "shape": [1], "datatype": "BYTES", "data": ["ORD"]}, {"name": "Destination", "shape": [1], "datatype": "BYTES", "data": ["LGA"]}]}""";
            foreach (var (label, route, body) in new[] { ("POST /invocations", "/invocations", mlflowBody), ("POST /v2/models/delay/infer", "/v2/models/delay/infer", oipBody) })
            {
                var rate = Wrk(url + route, body, folder.FullName);
                report.Add($"serving: single-row {label}, wrk 64 connections keep-alive", $"{rate:N0} req/s", $"{inProcess:N0} predictions/s in process (no HTTP)",
                    $"{rate / inProcess:P0} of in process", ">= 20,000 req/s and >= 25% of in process", rate >= 20_000 && rate / inProcess >= 0.25);
                // Latency under a lighter load: wrk (closed loop) with the fewest connections that reach half the peak rate.
                var (connections, lightRate, p99) = (0, 0.0, 0.0);
                while (connections < 4 && lightRate < rate / 2)
                    (lightRate, p99) = WrkLatency(url + route, folder.FullName, ++connections);
                report.Add($"serving: {label} latency under lighter load (wrk {connections} connection(s), {lightRate:N0} req/s = {lightRate / rate:P0} of peak)", $"p99 {p99:F2} ms",
                    $"{rate:N0} req/s peak", "", "p99 < 5 ms at about half the peak rate", p99 < 5 && lightRate >= rate / 2);
            }

            var rows = flights.Take(10_000).ToList();
            string Tensor<T>(string name, string type, Func<RegistryBenchmark.Flight, T> value) =>
                $$"""{"name": "{{name}}", "shape": [{{rows.Count}}], "datatype": "{{type}}", "data": [{{string.Join(",", rows.Select(r => type == "BYTES" ? $"\"{value(r)}\"" : Convert.ToString(value(r), CultureInfo.InvariantCulture)))}}]}""";
            var big = $$"""{"inputs": [{{Tensor("Hour", "FP32", r => r.Hour)}}, {{Tensor("DayOfWeek", "FP32", r => r.DayOfWeek)}}, {{Tensor("Distance", "FP32", r => r.Distance)}}, {{Tensor("Origin", "BYTES", r => r.Origin)}}, {{Tensor("Destination", "BYTES", r => r.Destination)}}]}""";
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var rowsPerSecond = rows.Count / await MedianSecondsAsync(http, () => new StringContent(big, Encoding.UTF8, "application/json"));
            var (binaryHeader, binaryBody) = BinaryRequest(rows);
            var binaryRowsPerSecond = rows.Count / await MedianSecondsAsync(http, () =>
            {
                var content = new ByteArrayContent(binaryBody);
                content.Headers.Add(BinaryTensorData.HeaderLength, binaryHeader.ToString(CultureInfo.InvariantCulture));
                return content;
            });
            using var inference = new InferenceClient(new Uri(url));
            var columns = FlightColumns(rows);
            var sdkRowsPerSecond = rows.Count / MedianSeconds(() => inference.InferAsync("delay", columns, rows.Count).GetAwaiter().GetResult());
            var batchInProcess = rows.Count / Report.Median(Enumerable.Range(0, 10).Select(_ =>
            {
                var dicts = rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["Hour"] = r.Hour, ["DayOfWeek"] = r.DayOfWeek, ["Distance"] = r.Distance, ["Origin"] = r.Origin, ["Destination"] = r.Destination }).ToList();
                var clock = Stopwatch.StartNew();
                inProcessModel.Predict(dicts);
                return clock.Elapsed.TotalSeconds;
            }));
            report.Add("serving: one /v2 infer request of 10,000 rows, binary tensor data in and out", $"{binaryRowsPerSecond:N0} rows/s", $"{batchInProcess:N0} rows/s in process", $"{binaryRowsPerSecond / batchInProcess:P0}",
                ">= 1,000,000 rows/s", binaryRowsPerSecond >= 1_000_000);
            report.Add("serving: the same request from the SDK's InferenceClient (columns encoded, outputs decoded to typed arrays)", $"{sdkRowsPerSecond:N0} rows/s",
                $"{binaryRowsPerSecond:N0} rows/s, a prepared body", $"{sdkRowsPerSecond / binaryRowsPerSecond:P0}", "report", true);
            report.Add("serving: the same request as JSON", $"{rowsPerSecond:N0} rows/s", $"{binaryRowsPerSecond:N0} rows/s binary", $"{rowsPerSecond / binaryRowsPerSecond:P0}",
                "report", true);
            using var mlnetModel = ModelLoading.Load(package, "mlnet");
            var mlnetBatch = rows.Count / Report.Median(Enumerable.Range(0, 10).Select(_ =>
            {
                var dicts = rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["Hour"] = r.Hour, ["DayOfWeek"] = r.DayOfWeek, ["Distance"] = r.Distance, ["Origin"] = r.Origin, ["Destination"] = r.Destination }).ToList();
                var clock = Stopwatch.StartNew();
                mlnetModel.Predict(dicts);
                return clock.Elapsed.TotalSeconds;
            }));
            report.Add("ML.NET flavor in process on the same 10,000 rows (column values)", $"{mlnetBatch:N0} rows/s", $"{batchInProcess:N0} rows/s ONNX flavor", $"{mlnetBatch / batchInProcess:F2}x", "report", true);
            var raw = RawOnnxRowsPerSecond((OnnxPredictor)inProcessModel, rows);
            report.Add("ONNX Runtime alone, one 10,000-row run on one thread (tensors built before timing)", $"{raw:N0} rows/s", "(what sub-batches on every core improve on)", "", "report", true);
            var (whole, split) = OneThreadRowsPerSecond((OnnxPredictor)inProcessModel, rows);
            report.Add($"one {2 * OnnxPredictor.SubBatchRows:N0}-row run on one thread, trees scored by Cairn's scorer (TreeEnsembleScorer)", $"{split:N0} rows/s",
                $"{whole:N0} rows/s, the whole graph in ONNX Runtime", $"{split / whole:F2}x", "report", true);
            foreach (var leaves in new[] { 31, 255 })
            {
                var lightGbm = RegistryBenchmark.LogDelayModel(cairn, flights, "serving-bench-lightgbm", leaves, trees: 100, lightGbm: true);
                var (_, lightGbmPath) = await registry.ResolveAsync(lightGbm);
                var lightGbmLocal = Path.Combine(folder.FullName, $"lightgbm-{leaves}");
                await registry.DownloadPackageAsync(lightGbmPath, lightGbmLocal);
                OnnxExport.AddOnnxFlavor(ModelPackage.Open(lightGbmLocal));
                using var lightGbmModel = (OnnxPredictor)ModelLoading.Load(ModelPackage.Open(lightGbmLocal), "onnx");
                var (lightGbmWhole, lightGbmSplit) = OneThreadRowsPerSecond(lightGbmModel, rows);
                report.Add($"the same for LightGBM, {leaves} leaves x 100 trees (scorer {(lightGbmModel.TreeEnsembleCompiled ? "on" : "OFF")})", $"{lightGbmSplit:N0} rows/s",
                    $"{lightGbmWhole:N0} rows/s, the whole graph in ONNX Runtime", $"{lightGbmSplit / lightGbmWhole:F2}x", "report", true);
            }
            await app.StopAsync();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Median seconds of a request/response round trip (the body read whole), after 30 warm-up
    /// requests (tiered JIT promotes the hot loops after 30 calls) over 40 requests (one vCPU's
    /// neighbours make single requests vary up to 2x here).
    /// </summary>
    private static async Task<double> MedianSecondsAsync(HttpClient http, Func<HttpContent> body)
    {
        var times = new List<double>();
        for (var i = 0; i < 70; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.PostAsync("/v2/models/delay/infer", body());
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
            if (i >= 30) times.Add(clock.Elapsed.TotalSeconds);
        }
        return Report.Median(times);
    }

    /// <summary>The 10,000 rows in the binary tensor data extension (as Triton's and KServe's clients send them), all outputs asked as binary: (JSON length, body).</summary>
    internal static (int HeaderLength, byte[] Body) BinaryRequest(List<RegistryBenchmark.Flight> rows)
    {
        var data = new MemoryStream();
        var sizes = new List<(string Name, string Type, long Size)>();
        void Add(string name, string type, Action<BinaryWriter> write)
        {
            var start = data.Length;
            using (var writer = new BinaryWriter(data, Encoding.UTF8, leaveOpen: true)) write(writer);
            sizes.Add((name, type, data.Length - start));
        }
        Add("Hour", "FP32", w => rows.ForEach(r => w.Write(r.Hour)));
        Add("DayOfWeek", "FP32", w => rows.ForEach(r => w.Write(r.DayOfWeek)));
        Add("Distance", "FP32", w => rows.ForEach(r => w.Write(r.Distance)));
        foreach (var (name, value) in new (string, Func<RegistryBenchmark.Flight, string>)[] { ("Origin", r => r.Origin), ("Destination", r => r.Destination) })
            Add(name, "BYTES", w => rows.ForEach(r => { var bytes = Encoding.UTF8.GetBytes(value(r)); w.Write(bytes.Length); w.Write(bytes); }));
        var tensors = sizes.Select(s => $$$"""{"name": "{{{s.Name}}}", "shape": [{{{rows.Count}}}], "datatype": "{{{s.Type}}}", "parameters": {"binary_data_size": {{{s.Size}}}}}""");
        var json = Encoding.UTF8.GetBytes($$$"""{"inputs": [{{{string.Join(", ", tensors)}}}], "parameters": {"binary_data_output": true}}""");
        return (json.Length, [.. json, .. data.ToArray()]);
    }

    /// <summary>The graph alone: input tensors prepared beforehand, only InferenceSession.Run timed.</summary>
    private static double RawOnnxRowsPerSecond(OnnxPredictor predictor, List<RegistryBenchmark.Flight> rows)
    {
        var inputs = RawInputs(predictor, rows);
        return rows.Count / MedianSeconds(() => predictor.Session.Run(inputs).Dispose());
    }

    /// <summary>
    /// Rows per second of one run small enough to stay on one thread (two sub-batches' worth):
    /// the whole graph in ONNX Runtime, and the predictor's columnar path, whose tree ensemble
    /// Cairn's scorer runs.
    /// </summary>
    private static (double Whole, double Split) OneThreadRowsPerSecond(OnnxPredictor predictor, List<RegistryBenchmark.Flight> rows)
    {
        rows = rows.Take(2 * OnnxPredictor.SubBatchRows).ToList();
        var inputs = RawInputs(predictor, rows);
        var columns = FlightColumns(rows);
        return (rows.Count / MedianSeconds(() => predictor.Session.Run(inputs).Dispose()),
            rows.Count / MedianSeconds(() => predictor.PredictColumns(columns, rows.Count)));
    }

    /// <summary>The flights' model inputs as columns.</summary>
    private static List<TensorColumn> FlightColumns(List<RegistryBenchmark.Flight> rows) =>
    [
        new("Hour", rows.Select(r => r.Hour).ToArray(), 1), new("DayOfWeek", rows.Select(r => r.DayOfWeek).ToArray(), 1),
        new("Distance", rows.Select(r => r.Distance).ToArray(), 1), new("Origin", rows.Select(r => r.Origin).ToArray(), 1),
        new("Destination", rows.Select(r => r.Destination).ToArray(), 1),
    ];

    private static List<Microsoft.ML.OnnxRuntime.NamedOnnxValue> RawInputs(OnnxPredictor predictor, List<RegistryBenchmark.Flight> rows)
    {
        var n = rows.Count;
        var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue>
        {
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Hour", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(rows.Select(r => r.Hour).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("DayOfWeek", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(rows.Select(r => r.DayOfWeek).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Distance", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(rows.Select(r => r.Distance).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Origin", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(rows.Select(r => r.Origin).ToArray(), [n, 1])),
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("Destination", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(rows.Select(r => r.Destination).ToArray(), [n, 1])),
        };
        var known = predictor.Session.InputMetadata.Keys.ToHashSet();
        return inputs.Where(i => known.Contains(i.Name)).ToList();
    }

    /// <summary>Median of 40 timed calls after 30 untimed ones (tiered JIT promotes hot loops after 30 calls).</summary>
    private static double MedianSeconds(Action action)
    {
        var times = new List<double>();
        for (var i = 0; i < 70; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            if (i >= 30) times.Add(clock.Elapsed.TotalSeconds);
        }
        return Report.Median(times);
    }

    /// <summary>Single-row predictions per second on 2 threads, in process.</summary>
    private static double InProcessRate(IModelPredictor model, IReadOnlyDictionary<string, object?> row)
    {
        for (var i = 0; i < 2000; i++) model.Predict([row]);
        long count = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, 2, _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(3)) { model.Predict([row]); Interlocked.Increment(ref count); }
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    private static double Wrk(string url, string body, string folder)
    {
        var script = Path.Combine(folder, "post.lua");
        File.WriteAllText(script, $"wrk.method = \"POST\"\nwrk.body = [==[{body}]==]\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        Run("wrk", $"-t1 -c64 -d3s -s {script} {url}"); // warm-up
        var output = Run("wrk", $"-t1 -c64 -d10s -s {script} {url}");
        var match = RequestsPerSecond().Match(output);
        if (!match.Success) throw new InvalidOperationException($"wrk printed no rate: {output}");
        if (output.Contains("Non-2xx")) throw new InvalidOperationException($"wrk saw errors: {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Rate and p99 latency from wrk --latency with few connections (the script written by <see cref="Wrk"/>).</summary>
    private static (double Rate, double P99) WrkLatency(string url, string folder, int connections)
    {
        var output = Run("wrk", $"-t1 -c{connections} -d10s --latency -s {Path.Combine(folder, "post.lua")} {url}");
        var rate = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(output);
        if (!p99.Success) throw new InvalidOperationException($"wrk printed no latency distribution: {output}");
        var value = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture);
        return (rate, p99.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value });
    }

    private static string Run(string file, string args)
    {
        var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"99%\s+([0-9.]+)(us|ms|s)")]
    private static partial Regex P99();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
