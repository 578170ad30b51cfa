using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary><c>cairn server</c> as a user starts it records into its own database, which <c>cairn audit</c> then reads.</summary>
public sealed partial class ServerCommandAuditTests
{
    [Fact]
    public async Task TheServerCommand_AuditsIntoItsBackendStore()
    {
        using var folder = new TempFolder();
        var store = folder.File("store");
        using (var process = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", store, "--no-scheduler", "--auth", "--admin-user", "root"],
            new Dictionary<string, string> { ["CAIRN_ADMIN_PASSWORD"] = "root password 123" }))
        {
            var line = await process.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(line).Groups[1].Value) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:root password 123")));
            using var created = await http.PostAsJsonAsync("/api/2.0/mlflow/experiments/create", new { name = "from-the-command" });
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        var exit = await CairnCli.RunAsync(["audit", "list", "--backend-store-uri", store, "-o", "json"], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var entry = Assert.Single(JsonNode.Parse(stdout.ToString())!["entries"]!.AsArray())!;
        Assert.Equal(("root", "/api/2.0/mlflow/experiments/create"), (entry["username"]!.GetValue<string>(), entry["path"]!.GetValue<string>()));
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
