using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Cli;
using Cairn.Security;
using Cairn.Testing;
using Microsoft.Data.Sqlite;

namespace Cairn.Server.Tests.Security;

/// <summary>The audit log over a socket with --auth on: what is recorded, who reads it, and `cairn audit` finding tampering in the database file.</summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private const string Experiments = "/api/2.0/mlflow/experiments";
    private RunningServer _server = null!;

    private string Database => $"sqlite://{_server.Folder}/cairn.db";

    public async Task InitializeAsync()
    {
        AccountService accounts = null!;
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new Cairn.Server.Security.ServerAuthentication(accounts, stores.Identity), Audit = stores.Audit };
        });
        await accounts.CreateUserAsync("admin", "admin password 1", isAdmin: true);
        await accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string user, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{user} password 1")));
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<(int Exit, string Out, string Err)> CairnAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await CairnCli.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private void Tamper(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_server.Folder}/cairn.db;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>Three changes (two by alice, one by admin) and two reads, which are not recorded.</summary>
    private async Task<string> ChangeThingsAsync()
    {
        var created = await SendAsync(HttpMethod.Post, $"{Experiments}/create", "alice", new { name = "audited" });
        var id = created.Body!["experiment_id"]!.GetValue<string>();
        await SendAsync(HttpMethod.Post, $"{Experiments}/set-experiment-tag", "alice", new { experiment_id = id, key = "team", value = "ml" });
        await SendAsync(HttpMethod.Post, $"{Experiments}/search", "alice", new { max_results = 10 });
        await SendAsync(HttpMethod.Get, $"{Experiments}/get?experiment_id={id}", "alice");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"{Experiments}/delete", "admin", new { experiment_id = id })).Status);
        return id;
    }

    [Fact]
    public async Task ChangingRequests_AreListedWithWhoAndWhat_AndTheChainVerifies()
    {
        var id = await ChangeThingsAsync();

        var all = await CairnAsync("audit", "list", "--backend-store-uri", Database, "-o", "json");
        var alices = await CairnAsync("audit", "list", "--backend-store-uri", Database, "--user", "alice", "--since", "1d");
        var verified = await CairnAsync("audit", "verify", "--backend-store-uri", Database);

        Assert.Equal(0, all.Exit);
        var entries = JsonNode.Parse(all.Out)!["entries"]!.AsArray();
        Assert.Equal(["POST /api/2.0/mlflow/experiments/delete", "POST /api/2.0/mlflow/experiments/set-experiment-tag", "POST /api/2.0/mlflow/experiments/create"],
            entries.Select(e => $"{e!["method"]} {e["path"]}"));
        Assert.Equal(["admin", "alice", "alice"], entries.Select(e => e!["username"]!.GetValue<string>()));
        Assert.All(entries, e => Assert.Equal($"experiment_id={id}", e!["resources"]!.GetValue<string>().Split(' ').First(r => r.StartsWith("experiment_id="))));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e!["remote_address"]!.GetValue<string>()));
        Assert.Equal(0, alices.Exit);
        Assert.Contains("set-experiment-tag", alices.Out);
        Assert.DoesNotContain("admin", alices.Out);
        Assert.Equal(0, verified.Exit);
        Assert.Equal($"3 entries, chain intact, head {entries[0]!["hash"]}", verified.Out.Trim());
    }

    [Fact]
    public async Task AnEditedRow_IsNamedByVerify_AndSoIsADeletedOne()
    {
        await ChangeThingsAsync();
        var head = (await CairnAsync("audit", "verify", "--backend-store-uri", Database)).Out.Trim().Split(' ')[^1];

        Tamper("UPDATE audit_log SET username = 'mallory' WHERE seq = 2");
        var edited = await CairnAsync("audit", "verify", "--backend-store-uri", Database);
        Tamper("UPDATE audit_log SET username = 'alice' WHERE seq = 2");
        var restored = await CairnAsync("audit", "verify", "--backend-store-uri", Database, "--expect-head", head);
        Tamper("DELETE FROM audit_log WHERE seq = 2");
        var deleted = await CairnAsync("audit", "verify", "--backend-store-uri", Database);

        Assert.Equal(1, edited.Exit);
        Assert.Contains("broken at entry 2 (edited)", edited.Err);
        Assert.Equal(0, restored.Exit);
        Assert.Equal(1, deleted.Exit);
        Assert.Contains("broken at entry 2 (missing)", deleted.Err);
        Assert.Contains("entry 2 is missing", deleted.Err);
    }

    [Fact]
    public async Task ACutOffTail_IsFoundAgainstTheHeadPrintedBefore()
    {
        await ChangeThingsAsync();
        var head = (await CairnAsync("audit", "verify", "--backend-store-uri", Database)).Out.Trim().Split(' ')[^1];

        Tamper("DELETE FROM audit_log WHERE seq = 3");
        var unanchored = await CairnAsync("audit", "verify", "--backend-store-uri", Database);
        var anchored = await CairnAsync("audit", "verify", "--backend-store-uri", Database, "--expect-head", head);

        Assert.Equal(0, unanchored.Exit);
        Assert.Equal(1, anchored.Exit);
        Assert.Contains("(headnotfound)", anchored.Err);
    }

    [Fact]
    public async Task FiftyConcurrentChanges_LeaveFiftyEntriesInOneChain()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => SendAsync(HttpMethod.Post, $"{Experiments}/create", "alice", new { name = $"parallel-{i}" })));

        var verified = await CairnAsync("audit", "verify", "--backend-store-uri", Database);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(0, verified.Exit);
        Assert.StartsWith("50 entries, chain intact", verified.Out);
    }

    [Fact]
    public async Task TheAuditEndpoint_IsForAdminsOnly_AndFiltersByUser()
    {
        await ChangeThingsAsync();

        var byAlice = await SendAsync(HttpMethod.Get, "/api/2.0/cairn/audit/list", "alice");
        var byAdmin = await SendAsync(HttpMethod.Get, "/api/2.0/cairn/audit/list?user=alice&since=1h&max_results=1", "admin");
        var badSince = await SendAsync(HttpMethod.Get, "/api/2.0/cairn/audit/list?since=yesterday", "admin");

        Assert.Equal((HttpStatusCode.Forbidden, "PERMISSION_DENIED"), (byAlice.Status, byAlice.Body!["error_code"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, byAdmin.Status);
        var entry = Assert.Single(byAdmin.Body!["entries"]!.AsArray())!;
        Assert.Equal(("alice", "/api/2.0/mlflow/experiments/set-experiment-tag", 2), (entry["username"]!.GetValue<string>(), entry["path"]!.GetValue<string>(), entry["sequence"]!.GetValue<int>()));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"), (badSince.Status, badSince.Body!["error_code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BadInput_IsAClearErrorWithoutAStackTrace()
    {
        var since = await CairnAsync("audit", "list", "--backend-store-uri", Database, "--since", "last tuesday");
        var head = await CairnAsync("audit", "verify", "--backend-store-uri", Database, "--expect-head", "abc");
        var server = await CairnAsync("audit", "list", "--backend-store-uri", _server.BaseUri.ToString());

        Assert.Equal((2, 2, 2), (since.Exit, head.Exit, server.Exit));
        Assert.Contains("--since 'last tuesday' is not a time", since.Err);
        Assert.Contains("is not a head hash", head.Err);
        Assert.Contains("give --backend-store-uri", server.Err);
        Assert.DoesNotContain("   at ", since.Err + head.Err + server.Err);
    }
}

/// <summary>The audit log without --auth, and when it cannot be written.</summary>
public sealed class AuditLogWithoutAuthTests
{
    [Fact]
    public async Task WithoutSignIn_EntriesAreAnonymous_AndReadsAreNotRecorded()
    {
        await using var server = await RunningServer.StartAsync((options, stores) => options with { Audit = stores.Audit });

        using var created = await server.Http.PostAsJsonAsync("/api/2.0/mlflow/experiments/create", new { name = "anon" });
        using var search = await server.Http.PostAsJsonAsync("/api/2.0/mlflow/runs/search", new { experiment_ids = new[] { "0" } });
        using var listed = await server.Http.GetAsync("/api/2.0/cairn/audit/list");

        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["experiment_id"]!.GetValue<string>();
        var entry = Assert.Single(JsonNode.Parse(await listed.Content.ReadAsStringAsync())!["entries"]!.AsArray())!;
        Assert.Null(entry["username"]);
        Assert.Equal($"experiment_id={id} name=anon", entry["resources"]!.GetValue<string>());
        Assert.Equal(200, entry["status_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task WhenTheEntryCannotBeWritten_TheChangeIsNotAcknowledged()
    {
        await using var server = await RunningServer.StartAsync(options => options with { Audit = new FailingAudit() });

        using var created = await server.Http.PostAsJsonAsync("/api/2.0/mlflow/experiments/create", new { name = "unrecorded" });
        using var read = await server.Http.GetAsync("/api/2.0/mlflow/experiments/search?max_results=5");

        Assert.Equal(HttpStatusCode.InternalServerError, created.StatusCode);
        var error = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.Equal("INTERNAL_ERROR", error["error_code"]!.GetValue<string>());
        Assert.Contains("could not be recorded in the audit log", error["message"]!.GetValue<string>());
        Assert.DoesNotContain("experiment_id", await created.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private sealed class FailingAudit : IAuditStore
    {
        public Task<AuditEntry> AppendAsync(AuditEvent e, CancellationToken ct = default) => throw new IOException("disk full");
        public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken ct = default) => Task.FromResult<IReadOnlyList<AuditEntry>>([]);
        public IAsyncEnumerable<AuditEntry> ReadChainAsync(CancellationToken ct = default) => AsyncEnumerable.Empty<AuditEntry>();
    }
}
