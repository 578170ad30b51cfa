using System.Text.RegularExpressions;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.ML;
using Cairn.Registry;

namespace Cairn.Serving.Tests;

/// <summary>`cairn serve models:/...@alias` as a process, the model fetched from the store CAIRN_TRACKING_URI names.</summary>
public partial class ServeCommandTests
{
    private sealed class Point
    {
        public float X { get; set; }
        public bool Label { get; set; }
    }

    [Fact]
    public async Task Serve_AnAliasedModel_AnswersMlflowAndOpenInferenceClients()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 2);
        var points = Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using (var cairn = CairnClient.Open(folder.Path))
        {
            string uri;
            using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
            var registry = new ModelRegistry(cairn);
            var version = await registry.RegisterAsync(uri, "threshold");
            await registry.SetAliasAsync("threshold", "champion", version.Version);
        }

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", "models:/threshold@champion"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path, ["SAGEMAKER_BIND_TO_PORT"] = "0" });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        var mlflow = await http.PostAsync("/invocations", new StringContent("""{"instances": [0.9, 0.1]}""", System.Text.Encoding.UTF8, "application/json"));
        var oip = await http.PostAsync("/v2/models/threshold/versions/1/infer", new StringContent(
            """{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [0.95]}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.True(mlflow.IsSuccessStatusCode, await mlflow.Content.ReadAsStringAsync());
        var predictions = System.Text.Json.Nodes.JsonNode.Parse(await mlflow.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
        Assert.True(predictions[0]!["PredictedLabel"]!.GetValue<bool>());
        Assert.False(predictions[1]!["PredictedLabel"]!.GetValue<bool>());
        Assert.True(oip.IsSuccessStatusCode, await oip.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Serve_ALightGbmModel_LoadsInTheCairnProcess()
    {
        // Regression: `cairn serve` could not load LightGbm models (the quickstart's champion).
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 3);
        var points = Enumerable.Range(0, 400).Select(i => new Point { X = i / 400f, Label = i > 200 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X")
            .Append(ml.BinaryClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmBinaryTrainer.Options { LabelColumnName = "Label", NumberOfIterations = 10, MinimumExampleCountPerLeaf = 5 }))
            .Fit(data);
        string uri;
        using (var cairn = CairnClient.Open(folder.Path))
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", uri, "--port", "0", "--name", "lgbm", "--inference-log", "none"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };
        using var response = await http.PostAsync("/invocations", new StringContent("""{"instances": [0.9]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Serve_OnnxTreeModelFromTheStore_ScoresTheTreesItself_AndALargeRequestAgreesWithMlNet()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 4);
        var points = Enumerable.Range(0, 400).Select(i => new Point { X = i / 400f, Label = i % 100 > 40 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X")
            .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Label", numberOfLeaves: 8, numberOfTrees: 20, minimumExampleCountPerLeaf: 5))
            .Fit(data);
        string uri;
        using (var cairn = CairnClient.Open(folder.Path))
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        var (exit, converted) = await Cairn(folder.Path, "models", "convert", uri, "--to", "onnx");
        Assert.True(exit == 0, converted);

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", uri, "--flavor", "onnx", "--port", "0", "--name", "trees", "--inference-log", "none"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };
        // 1,000 rows: a large OIP request, scored as columns through the split graph.
        var xs = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToArray();
        using var response = await http.PostAsync("/v2/models/trees/infer", new StringContent(
            $$"""{"inputs": [{"name": "X", "shape": [{{xs.Length}}], "datatype": "FP32", "data": [{{string.Join(",", xs.Select(x => x.ToString(System.Globalization.CultureInfo.InvariantCulture)))}}]}]}""",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Contains("(onnx, tree ensemble scored by Cairn)", line);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var outputs = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outputs"]!.AsArray();
        var scores = outputs.Single(o => (string)o!["name"]! == "Score")!["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToList();
        var expected = ml.Data.CreateEnumerable<ScoredPoint>(model.Transform(ml.Data.LoadFromEnumerable(xs.Select(x => new Point { X = x }))), reuseRowObject: false)
            .Select(p => p.Score).ToList();
        Assert.Equal(xs.Length, scores.Count);
        for (var i = 0; i < xs.Length; i++) Assert.True(Math.Abs(expected[i] - scores[i]) <= 1e-4f * Math.Max(1, Math.Abs(expected[i])), $"row {i}: ML.NET {expected[i]}, served {scores[i]}");
    }

    private sealed class ScoredPoint
    {
        public float Score { get; set; }
    }

    [Fact]
    public async Task Serve_Watch_AliasMoved_NewVersionSwappedInWithoutAFailedRequest()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 2);
        string Log(CairnClient cairn, bool flip)
        {
            var points = Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = flip ? i <= 100 : i > 100 }).ToList();
            var data = ml.Data.LoadFromEnumerable(points);
            var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
            using var run = cairn.StartRun("points");
            return run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        }
        using var cairn = CairnClient.Open(folder.Path);
        var registry = new ModelRegistry(cairn);
        await registry.SetAliasAsync("threshold", "champion", (await registry.RegisterAsync(Log(cairn, flip: false), "threshold")).Version);
        var second = await registry.RegisterAsync(Log(cairn, flip: true), "threshold");

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", "models:/threshold@champion", "--port", "0", "--watch", "1", "--inference-log", "none"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        var failures = 0;
        var versions = new HashSet<string>();
        var moved = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !versions.Contains(second.Version))
        {
            using var response = await http.PostAsync("/v2/models/threshold/infer", new StringContent(
                """{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [0.95]}]}""", System.Text.Encoding.UTF8, "application/json"));
            if (!response.IsSuccessStatusCode) { failures++; continue; }
            versions.Add(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["model_version"]!.GetValue<string>());
            if (!moved) { await registry.SetAliasAsync("threshold", "champion", second.Version); moved = true; }
        }

        Assert.Equal(0, failures);
        Assert.Contains("1", versions);
        Assert.Contains(second.Version, versions);
        Assert.Contains("swapped in", server.StandardOutput);
    }

    private static async Task<string> RegisterThresholdModel(string store)
    {
        var ml = new MLContext(seed: 2);
        var points = Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = i > 100 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(store);
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
        var registry = new ModelRegistry(cairn);
        var version = await registry.RegisterAsync(uri, "threshold");
        await registry.SetAliasAsync("threshold", "champion", version.Version);
        return version.Version;
    }

    private static async Task<(int Exit, string Output)> Cairn(string store, params string[] args)
    {
        using var process = ChildProcess.StartDll("cairn.dll", args, new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = store });
        var exit = await process.WaitAsync(TimeSpan.FromMinutes(5));
        return (exit, process.StandardOutput + process.StandardError);
    }

    [Fact]
    public async Task BuildImage_NoBuild_WritesAFromScratchContextWithModelAppRuntimeAndLibraries()
    {
        using var folder = new TempFolder();
        await RegisterThresholdModel(folder.File("store"));

        var (exit, output) = await Cairn(folder.File("store"), "models", "build-image", "models:/threshold@champion", "--tag", "t:1", "--context", folder.File("ctx"), "--no-build");

        Assert.True(exit == 0, output);
        Assert.Contains("podman build -t t:1", output);
        var containerfile = await File.ReadAllTextAsync(folder.File("ctx/Containerfile"));
        Assert.Contains("FROM scratch", containerfile);
        Assert.Contains("\"--name\", \"threshold\", \"--version\", \"1\"", containerfile);
        Assert.Contains("\"--allowed-hosts\", \"*\"", containerfile); // a platform reaches the container by names it cannot know
        foreach (var path in new[] { "rootfs/model/MLmodel", "rootfs/model/digests.json", "rootfs/app/cairn.dll", "rootfs/usr/share/dotnet/dotnet", "rootfs/lib64/ld-linux-x86-64.so.2" })
            Assert.True(File.Exists(folder.File("ctx/" + path)), $"{path} is missing from the context");
    }

    [Fact]
    public async Task BuildImage_WithPodman_TheImageAnswersEveryProtocol()
    {
        Assert.True(File.Exists("/usr/bin/podman"), "podman is not installed (apt-get install podman runc); CI installs it.");
        using var folder = new TempFolder();
        await RegisterThresholdModel(folder.File("store"));
        var tag = $"cairn-test-{Guid.NewGuid():N}"[..24] + ":1";
        var (exit, output) = await Cairn(folder.File("store"), "models", "build-image", "models:/threshold@champion", "--tag", tag, "--context", folder.File("ctx"));
        Assert.True(exit == 0, output);

        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var free = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        var name = tag.Replace(':', '-');
        using var container = ChildProcess.Start("podman", ["run", "--rm", "--name", name, "--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            "--network", "host", "-e", $"AIP_HTTP_PORT={free}", "-e", "AIP_HEALTH_ROUTE=/vx/health", "-e", "AIP_PREDICT_ROUTE=/vx/predict", tag, "serve"]); // `serve`: as SageMaker runs an image
        try
        {
            await container.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{free}") };
            async Task<string> Post(string path, string body)
            {
                using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"{path}: {text}");
                return text;
            }
            Assert.Contains("true", await http.GetStringAsync("/v2/health/ready"));
            Assert.Contains("\"outputs\"", await Post("/v2/models/threshold/infer", """{"inputs": [{"name": "X", "shape": [1], "datatype": "FP32", "data": [0.9]}]}"""));
            Assert.Contains("predictions", await Post("/invocations", """{"instances": [0.9]}"""));
            Assert.Contains("predictions", await Post("/score", """{"instances": [0.9]}"""));
            Assert.Contains("Probability", await Post("/score", """{"input_data": [[0.9]]}"""));
            Assert.Contains("predictions", await Post("/vx/predict", """{"instances": [{"X": 0.9}]}"""));
            Assert.Contains("predictions", await Post("/v1/models/threshold:predict", """{"instances": [0.9]}"""));
            (await http.GetAsync("/vx/health")).EnsureSuccessStatusCode();
            (await http.GetAsync("/ping")).EnsureSuccessStatusCode();
        }
        finally
        {
            using var stop = ChildProcess.Start("podman", ["rm", "-f", name]);
            await stop.WaitAsync(TimeSpan.FromSeconds(60));
            using var remove = ChildProcess.Start("podman", ["rmi", "-f", tag]);
            await remove.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    [GeneratedRegex(@"http://[0-9.]+:[0-9]+")]
    private static partial Regex Address();
}
