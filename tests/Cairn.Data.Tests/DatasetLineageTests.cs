using Cairn.Models;
using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>A dataset version named with `cairn data tag` reaches a model's lineage through the run that logged it.</summary>
public sealed class DatasetLineageTests
{
    [Fact]
    public async Task TagOnServer_LogInputOverRest_ModelLineageNamesTheDatasetVersion()
    {
        await using var server = await RunningServer.StartAsync();
        using var repo = new GitRepo();
        repo.Write("data/flights.csv", "date,delay\n2024-01-01,3\n");
        await repo.Ok("add", "data/flights.csv");
        repo.Commit("flights v1");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Cairn.Cli.CairnCli.RunAsync(["--tracking-uri", server.BaseUri.ToString(), "data", "-C", repo.Root, "tag", "data/flights.csv", "flights"], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("data:/flights@1", stdout.ToString());

        using var client = server.Client();
        string runId;
        using (var run = client.StartRun("delay"))
        {
            var logged = run.LogInput("data:/flights@1");
            Assert.Equal(DataPointer.Read(repo.Path("data/flights.csv.cairn")).Digest, logged.Digest);
            Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), logged.GitCommit);
            await using var manifest = new MemoryStream("artifact_path: model\nflavors:\n  onnx:\n    data: model.onnx\n"u8.ToArray());
            await client.Artifacts.PutAsync($"{run.ArtifactRoot}/model/MLmodel", manifest);
            runId = run.RunId;
        }
        var registry = new ModelRegistry(client);
        await registry.RegisterAsync($"runs:/{runId}/model", "delay");

        var lineage = await registry.LineageAsync("models:/delay/1");

        var input = Assert.Single(lineage.DataInputs);
        Assert.StartsWith("data:/flights@1 (training, blake3:", input);
        var run2 = await client.Tracking.GetRunAsync(runId);
        Assert.Equal("cairn", run2.Inputs!.DatasetInputs[0].Dataset.SourceType);
    }

    [Fact]
    public async Task LogInput_UnknownDatasetVersion_IsNotFoundAndNamesIt()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.Client();
        using var run = client.StartRun("delay");
        var error = Assert.Throws<CairnException>(() => run.LogInput("data:/nothing@3"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
        Assert.Contains("data:/nothing@3", error.Message);
    }
}
