using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>MLflow's permission endpoints over a socket: only whoever may manage the resource changes permissions on it.</summary>
public sealed class PermissionsApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
            options with { Authentication = new ServerAuthentication(new AccountService(stores.Identity, new PasswordHasher(1_000)), stores.Identity) { CredentialCacheTime = TimeSpan.Zero } });
        var accounts = new AccountService(_server.Stores.Identity, new PasswordHasher(1_000));
        await accounts.CreateUserAsync("root", "root password 1", isAdmin: true);
        await accounts.CreateUserAsync("alice", "alice password 1");
        await accounts.CreateUserAsync("bob", "bob password 123");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string user, object? body = null)
    {
        var password = user == "bob" ? "bob password 123" : $"{user} password 1";
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private const string Experiments = "/api/2.0/mlflow/experiments/permissions";
    private const string Models = "/api/2.0/mlflow/registered-models/permissions";

    [Fact]
    public async Task AManager_GrantsReadsUpdatesAndDeletes_WhileAnEditorIsRefused()
    {
        var byRoot = await SendAsync(HttpMethod.Post, $"{Experiments}/create", "root", new { experiment_id = "7", username = "alice", permission = "MANAGE" });
        var byAlice = await SendAsync(HttpMethod.Post, $"{Experiments}/create", "alice", new { experiment_id = "7", username = "bob", permission = "READ" });
        var again = await SendAsync(HttpMethod.Post, $"{Experiments}/create", "alice", new { experiment_id = "7", username = "bob", permission = "READ" });
        var updated = await SendAsync(HttpMethod.Patch, $"{Experiments}/update", "alice", new { experiment_id = "7", username = "bob", permission = "EDIT" });
        var read = await SendAsync(HttpMethod.Get, $"{Experiments}/get?experiment_id=7&username=bob", "alice");
        var byBob = await SendAsync(HttpMethod.Patch, $"{Experiments}/update", "bob", new { experiment_id = "7", username = "alice", permission = "READ" });
        var elsewhere = await SendAsync(HttpMethod.Post, $"{Experiments}/create", "alice", new { experiment_id = "8", username = "bob", permission = "READ" });
        var badLevel = await SendAsync(HttpMethod.Patch, $"{Experiments}/update", "alice", new { experiment_id = "7", username = "bob", permission = "WRITE" });
        var deleted = await SendAsync(HttpMethod.Delete, $"{Experiments}/delete", "alice", new { experiment_id = "7", username = "bob" });
        var gone = await SendAsync(HttpMethod.Get, $"{Experiments}/get?experiment_id=7&username=bob", "alice");

        Assert.Equal(HttpStatusCode.OK, byRoot.Status);
        Assert.Equal(HttpStatusCode.OK, byAlice.Status);
        Assert.Equal("7", byAlice.Body!["experiment_permission"]!["experiment_id"]!.GetValue<string>());
        Assert.Equal("READ", byAlice.Body!["experiment_permission"]!["permission"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal(ErrorCodes.ResourceAlreadyExists, again.Body!["error_code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("EDIT", read.Body!["experiment_permission"]!["permission"]!.GetValue<string>());
        Assert.Equal((await _server.Stores.Identity.GetUserAsync("bob")).Id, read.Body!["experiment_permission"]!["user_id"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Forbidden, byBob.Status);
        Assert.Equal(ErrorCodes.PermissionDenied, byBob.Body!["error_code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.Status);
        Assert.Equal(HttpStatusCode.BadRequest, badLevel.Status);
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
    }

    [Fact]
    public async Task RegisteredModelPermissions_FollowTheSameRules()
    {
        var byAlice = await SendAsync(HttpMethod.Post, $"{Models}/create", "alice", new { name = "delay", username = "bob", permission = "READ" });
        var byRoot = await SendAsync(HttpMethod.Post, $"{Models}/create", "root", new { name = "delay", username = "bob", permission = "EDIT" });
        var read = await SendAsync(HttpMethod.Get, $"{Models}/get?name=delay&username=bob", "root");
        var unknownUser = await SendAsync(HttpMethod.Post, $"{Models}/create", "root", new { name = "delay", username = "carol", permission = "READ" });

        Assert.Equal(HttpStatusCode.Forbidden, byAlice.Status);
        Assert.Equal(HttpStatusCode.OK, byRoot.Status);
        Assert.Equal(("delay", "EDIT"), (read.Body!["registered_model_permission"]!["name"]!.GetValue<string>(), read.Body!["registered_model_permission"]!["permission"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, unknownUser.Status);
        var bob = await SendAsync(HttpMethod.Get, "/api/2.0/mlflow/users/get?username=bob", "bob");
        Assert.Equal("EDIT", bob.Body!["user"]!["registered_model_permissions"]![0]!["permission"]!.GetValue<string>());
    }
}
