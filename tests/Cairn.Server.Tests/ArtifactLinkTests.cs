using System.Net;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// Symbolic links inside the artifact folder never lead the server outside it: a linked file or
/// folder is not served, not listed and not written through, by the artifact proxy or the UI.
/// </summary>
public class ArtifactLinkTests : IAsyncLifetime
{
    private const string Secret = "root:x:0:0:secret outside the artifact root";
    private RunningServer _server = null!;
    private TempFolder _outside = null!;
    private string _runId = "";
    private HttpClient Http => _server.Http;
    private string RunTree => Path.Combine(_server.Artifacts.Root, "tree", "0", _runId, "artifacts");

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        _outside = new TempFolder();
        File.WriteAllText(Path.Combine(_outside.Path, "passwd"), Secret);
        _runId = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);
        using var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{_runId}/artifacts/notes.txt", new StringContent("notes"));
        Assert.True(put.IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _outside.Dispose();
    }

    private async Task AssertNotServedAsync(string path)
    {
        foreach (var url in new[] { $"/api/2.0/mlflow-artifacts/artifacts/0/{_runId}/artifacts/{path}", $"/ui/runs/{_runId}/artifact?path={path}" })
        {
            using var response = await Http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain("secret outside", body);
        }
    }

    [Fact]
    public async Task GetArtifact_ContentLinkedToAFileOutside_Is404AndServesNothing()
    {
        var digest = _server.Artifacts.DigestOf($"0/{_runId}/artifacts/notes.txt")!;
        var objectPath = Path.Combine(_server.Artifacts.Root, "objects", digest[..2], digest);
        File.Delete(objectPath);
        File.CreateSymbolicLink(objectPath, Path.Combine(_outside.Path, "passwd"));

        await AssertNotServedAsync("notes.txt");
    }

    [Fact]
    public async Task GetArtifact_ThroughALinkedFolder_Is404AndServesNothing()
    {
        // The link's target holds a valid pointer: following the link would serve its content.
        File.Copy(Path.Combine(RunTree, "notes.txt"), Path.Combine(_outside.Path, "notes.txt"));
        Directory.CreateSymbolicLink(Path.Combine(RunTree, "linked"), _outside.Path);

        await AssertNotServedAsync("linked/notes.txt");
    }

    [Fact]
    public async Task ListArtifacts_ALinkedFolder_IsNotListedNorListable()
    {
        Directory.CreateSymbolicLink(Path.Combine(RunTree, "linked"), _outside.Path);
        File.CreateSymbolicLink(Path.Combine(RunTree, "passwd"), Path.Combine(_outside.Path, "passwd"));

        var run = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/artifacts/list?run_id={_runId}"));
        var proxy = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow-artifacts/artifacts?path=0/{_runId}/artifacts/linked"));

        Assert.Equal(["notes.txt"], run["files"]!.AsArray().Select(f => Json.Str(f!["path"])));
        Assert.Empty(proxy["files"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task PutArtifact_ThroughALinkedFolder_Is400AndWritesNothingOutside()
    {
        Directory.CreateSymbolicLink(Path.Combine(RunTree, "linked"), _outside.Path);

        using var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{_runId}/artifacts/linked/planted.txt", new StringContent("x"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(["passwd"], Directory.EnumerateFileSystemEntries(_outside.Path).Select(Path.GetFileName));
    }
}
