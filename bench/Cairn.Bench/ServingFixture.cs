using Cairn.Models;
using Cairn.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cairn.Bench;

/// <summary>What the serving benchmarks share: the flights model as a package with its ONNX flavor, one row's request bodies, and a server on a free port.</summary>
public static class ServingFixture
{
    /// <summary>One flight as an MLflow <c>dataframe_split</c> body (<c>POST /invocations</c>).</summary>
    public const string MlflowBody = """{"dataframe_split": {"columns": ["Hour", "DayOfWeek", "Distance", "Origin", "Destination"], "data": [[17, 5, 733, "ORD", "LGA"]]}}""";

    /// <summary>The same flight as an Open Inference Protocol v2 JSON body (<c>POST /v2/models/{name}/infer</c>).</summary>
    public const string OipBody = """{"inputs": [{"name": "Hour", "shape": [1], "datatype": "FP32", "data": [17]}, {"name": "DayOfWeek", "shape": [1], "datatype": "FP32", "data": [5]}, {"name": "Distance", "shape": [1], "datatype": "FP32", "data": [733]}, {"name": "Origin", "shape": [1], "datatype": "BYTES", "data": ["ORD"]}, {"name": "Destination", "shape": [1], "datatype": "BYTES", "data": ["LGA"]}]}""";

    /// <summary>Downloads the logged model to <paramref name="folder"/> and adds its ONNX flavor (as <c>cairn models convert --to onnx</c> does); returns the package.</summary>
    public static async Task<ModelPackage> OnnxPackageAsync(ModelRegistry registry, string modelUri, string folder)
    {
        var (_, path) = await registry.ResolveAsync(modelUri);
        await registry.DownloadPackageAsync(path, folder);
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(folder));
        return ModelPackage.Open(folder);
    }

    /// <summary>Starts <c>cairn serve</c>'s server (options on port 0) and returns it with its base address.</summary>
    public static async Task<(WebApplication App, string Url)> StartAsync(ModelServerOptions options)
    {
        var app = ModelServer.Build(options);
        await app.StartAsync();
        var server = (IServer)app.Services.GetService(typeof(IServer))!;
        return (app, server.Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
