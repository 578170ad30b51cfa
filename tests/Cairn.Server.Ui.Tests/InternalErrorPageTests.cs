using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// An internal error (a damaged artifact store, say) is the operator's to read in the log: a page
/// never shows its message, which can name server paths.
/// </summary>
public sealed class InternalErrorPageTests
{
    [Theory]
    [InlineData("/runs/{run}?file=model.bin")]
    [InlineData("/ui/runs/{run}/artifact?path=model.bin")]
    public async Task ArtifactWithItsContentGone_PageIs500WithoutTheServersPaths(string page)
    {
        await using var server = await RunningServer.StartAsync();
        var experiment = await server.Store.CreateExperimentAsync("damaged");
        var run = await server.Store.CreateRunAsync(new NewRun(experiment, "tester", 1_760_000_000_000L));
        await server.Artifacts.PutAsync(Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri) + "/model.bin", new MemoryStream([1, 2, 3]));
        foreach (var file in Directory.EnumerateFiles(server.Folder, "*", SearchOption.AllDirectories).Where(f => f.Contains($"{Path.DirectorySeparatorChar}objects{Path.DirectorySeparatorChar}")))
            File.Delete(file);

        using var response = await server.Http.GetAsync(page.Replace("{run}", run.Info.RunId));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(500, (int)response.StatusCode);
        Assert.DoesNotContain(server.Folder, body);
        Assert.Contains("Internal error (id ", body);
    }
}
