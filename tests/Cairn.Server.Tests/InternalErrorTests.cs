using System.Text.RegularExpressions;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// An internal error answers a generic message with an error id, never a server path; the detail
/// is in the server's log under that id. The real <c>cairn server</c> process, so its real log.
/// </summary>
public partial class InternalErrorTests
{
    [Fact]
    public async Task ArtifactWithItsContentGone_Is500WithAnErrorIdAndNoPath_AndTheLogHasTheDetail()
    {
        using var folder = new TempFolder();
        var artifacts = folder.File("artifacts");
        using var server = ChildProcess.StartDll("cairn.dll",
            ["server", "--port", "0", "--backend-store-uri", folder.File("meta"), "--artifacts-destination", artifacts]);
        var line = await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Listening().Match(line).Groups[1].Value) };
        using (var put = await http.PutAsync("/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model.bin", new ByteArrayContent([1, 2, 3])))
            Assert.True(put.IsSuccessStatusCode);
        // The content file disappears from under the store (a disk fault, an operator's mistake).
        foreach (var file in Directory.EnumerateFiles(Path.Combine(artifacts, "objects"), "*", SearchOption.AllDirectories)) File.Delete(file);

        var (status, body) = await Json.GetAsync(http, "/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/model.bin");

        Assert.Equal(500, status);
        Assert.Equal("INTERNAL_ERROR", Json.Str(body!["error_code"]));
        var message = Json.Str(body["message"]);
        var id = ErrorId().Match(message);
        Assert.True(id.Success, message);
        Assert.DoesNotContain(folder.Path, body.ToJsonString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!server.StandardError.Contains(id.Groups[1].Value) && DateTime.UtcNow < deadline) await Task.Delay(50);
        var logLine = server.StandardError.Split('\n').FirstOrDefault(l => l.Contains(id.Groups[1].Value)) ?? "";
        Assert.Contains("missing from", logLine); // the detail, with the path, stays on the server
    }

    [GeneratedRegex(@"^Internal error \(id ([0-9a-f]{32})\): see the server log$")]
    private static partial Regex ErrorId();

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex Listening();
}
