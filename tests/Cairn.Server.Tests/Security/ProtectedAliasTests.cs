using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models;
using Cairn.Registry;
using Cairn.Rest;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// Protected aliases on a server with --auth, over real sockets: alice may EDIT the model, bob and
/// carol MANAGE it, root is an admin; carol requests in the CLI's run. A protected alias moves only on a request approved by
/// someone other than its requester, once per approval.
/// </summary>
public sealed class ProtectedAliasTests : IAsyncLifetime
{
    private const string Model = "delay";
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await StartAsync(protectedAliases: null);

    /// <summary>A server with the users and the model; null: the default protected aliases.</summary>
    private static async Task<RunningServer> StartAsync(IReadOnlyList<string>? protectedAliases)
    {
        AccountService accounts = null!;
        var server = await RunningServer.StartAsync((options, stores) =>
        {
            accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            options = options with { Authentication = new ServerAuthentication(accounts, stores.Identity) };
            return protectedAliases is null ? options : options with { ProtectedAliases = protectedAliases };
        });
        foreach (var user in new[] { "alice", "bob", "carol" }) await accounts.CreateUserAsync(user, Password(user));
        await accounts.CreateUserAsync("root", Password("root"), isAdmin: true);
        await server.Registry.CreateRegisteredModelAsync(Model, null, null);
        for (var i = 0; i < 3; i++) await server.Registry.CreateModelVersionAsync(new NewModelVersion(Model, $"runs:/{Guid.NewGuid():N}/model"));
        foreach (var (user, permission) in new[] { ("alice", Permission.Edit), ("bob", Permission.Manage), ("carol", Permission.Manage) })
            await server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.RegisteredModel, Model, Principals.User(user), permission));
        return server;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Password(string user) => $"{user} password 1";

    private CairnClient As(string user) => CairnClient.Open(_server.BaseUri.ToString(), credentials: ServerCredentials.Basic(user, Password(user)));

    private async Task<string?> ChampionAsync()
    {
        try { return (await _server.Registry.GetModelVersionByAliasAsync(Model, "champion")).Version; }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist) { return null; }
    }

    /// <summary>A request as MLflow's clients send it, with HTTP basic credentials.</summary>
    private Task<(int Status, string? Code, string Text)> SendAsync(string user, string method, string path, string json) => SendAsync(_server, user, method, path, json);

    private static async Task<(int Status, string? Code, string Text)> SendAsync(RunningServer server, string user, string method, string path, string json)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{Password(user)}")));
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var code = text.StartsWith('{') ? JsonNode.Parse(text)?["error_code"]?.GetValue<string>() : null;
        return ((int)response.StatusCode, code, text);
    }

    private Task<(int Status, string? Code, string Text)> SetAliasAsync(string user, string alias, string version) =>
        SendAsync(user, "POST", "/api/2.0/mlflow/registered-models/alias", $$"""{"name": "{{Model}}", "alias": "{{alias}}", "version": "{{version}}"}""");

    private Task<(int Status, string? Code, string Text)> PostTransitionAsync(string user, string version, string action, string actor = "anyone") =>
        SendAsync(user, "POST", "/api/2.0/cairn/registry/transitions",
            $$"""{"name": "{{Model}}", "version": "{{version}}", "alias": "champion", "action": "{{action}}", "actor": "{{actor}}", "timestamp": 1}""");

    [Fact]
    public async Task AnEditorsPromotion_WaitsForAnotherUser_TheRequesterCannotApprove_AManagerCan()
    {
        using var alice = As("alice");
        using var bob = As("bob");

        var promoted = await new ModelRegistry(alice).PromoteAsync(Model, "1", "champion", gate: null, comment: "first");
        var ownApproval = await Assert.ThrowsAsync<CairnException>(() => new ModelRegistry(alice).ApproveAsync(Model, "1", "champion", "looks fine to me"));
        var championBefore = await ChampionAsync();
        await new ModelRegistry(bob).ApproveAsync(Model, "1", "champion", "reviewed");

        Assert.Equal(PromotionOutcome.AwaitingApproval, promoted.Outcome);
        Assert.Null(championBefore);
        Assert.Equal(ErrorCodes.PermissionDenied, ownApproval.ErrorCode);
        Assert.Equal("1", await ChampionAsync());
        var trail = await _server.Registry.ListTransitionsAsync(Model, "1");
        Assert.Equal("alice", trail.Single(t => t.Action == TransitionAction.Requested).Actor);
        Assert.Equal("bob", trail.Single(t => t.Action == TransitionAction.Approved).Actor);
        var moved = trail.Single(t => t.Action == TransitionAction.AliasMoved);
        Assert.Equal(("bob", "requested by alice, approved by bob"), (moved.Actor, moved.Comment));
    }

    [Fact]
    public async Task TheRequesterApproving_IsRefusedWithWhy_EvenAManagerOrAnAdmin()
    {
        Assert.Equal(200, (await PostTransitionAsync("alice", "1", "REQUESTED")).Status);
        var editor = await PostTransitionAsync("alice", "1", "APPROVED");
        Assert.Equal(200, (await PostTransitionAsync("root", "2", "REQUESTED")).Status);
        var admin = await PostTransitionAsync("root", "2", "APPROVED");

        Assert.Equal((403, ErrorCodes.PermissionDenied), (editor.Status, editor.Code));
        Assert.Contains("needs MANAGE on registered model 'delay'; you have EDIT", editor.Text);
        Assert.Equal((403, ErrorCodes.PermissionDenied), (admin.Status, admin.Code));
        Assert.Contains("requested by you (root)", admin.Text);
        Assert.Contains("four eyes", admin.Text);
        Assert.Equal(200, (await PostTransitionAsync("root", "1", "APPROVED")).Status); // an admin may approve another's request
    }

    [Fact]
    public async Task SettingAProtectedAliasDirectly_IsRefusedToEveryone_AnotherAliasFollowsEdit()
    {
        var manager = await SetAliasAsync("bob", "champion", "1");
        var admin = await SetAliasAsync("root", "production", "1");
        using var bob = As("bob");
        var sdk = await Assert.ThrowsAsync<CairnException>(() => new ModelRegistry(bob).SetAliasAsync(Model, "champion", "1"));
        var staging = await SetAliasAsync("alice", "staging", "2");

        Assert.Equal((403, ErrorCodes.PermissionDenied), (manager.Status, manager.Code));
        Assert.Contains("'champion' is a protected alias", manager.Text);
        Assert.Contains("approved by another user", manager.Text);
        Assert.Equal((403, ErrorCodes.PermissionDenied), (admin.Status, admin.Code));
        Assert.Equal(ErrorCodes.PermissionDenied, sdk.ErrorCode);
        Assert.Null(await ChampionAsync());
        Assert.Equal(200, staging.Status);
        Assert.Equal("2", (await _server.Registry.GetModelVersionByAliasAsync(Model, "staging")).Version);
    }

    [Fact]
    public async Task AnApproval_MovesTheAliasOnce_AndARemovalNeedsOneToo()
    {
        await PostTransitionAsync("alice", "1", "REQUESTED");
        await PostTransitionAsync("bob", "1", "APPROVED");
        var first = await SetAliasAsync("alice", "champion", "1");
        var again = await SetAliasAsync("alice", "champion", "1");
        var removal = await SendAsync("bob", "DELETE", "/api/2.0/mlflow/registered-models/alias", $$"""{"name": "{{Model}}", "alias": "champion"}""");

        Assert.Equal(200, first.Status);
        Assert.Equal((403, ErrorCodes.PermissionDenied), (again.Status, again.Code));
        Assert.Contains("has moved to version 1 since version 1 was requested", again.Text);
        Assert.Equal(403, removal.Status);
        Assert.Contains("Removing it needs an approved request naming the version it points at (1)", removal.Text);
        Assert.Equal("1", await ChampionAsync());
    }

    [Fact]
    public async Task ARejectedRequest_OrAnApprovalOfAStaleOne_DoesNotMoveTheAlias()
    {
        await PostTransitionAsync("alice", "2", "REQUESTED");
        await PostTransitionAsync("alice", "1", "REQUESTED");
        await PostTransitionAsync("carol", "2", "REJECTED");
        var rejected = await SetAliasAsync("alice", "champion", "2");
        using (var bob = As("bob")) await new ModelRegistry(bob).ApproveAsync(Model, "1", "champion", "ok");
        var stale = await PostTransitionAsync("bob", "2", "APPROVED");

        Assert.Equal(403, rejected.Status);
        Assert.Contains("carol rejected the request", rejected.Text);
        Assert.Equal((403, ErrorCodes.PermissionDenied), (stale.Status, stale.Code));
        Assert.Contains("has moved to version 1 since version 2 was requested", stale.Text);
        Assert.Equal("1", await ChampionAsync());
    }

    [Fact]
    public async Task ATransitionsActor_IsTheCaller_WhateverTheClientSent()
    {
        var posted = await PostTransitionAsync("alice", "3", "REQUESTED", actor: "someone-else");
        var approval = await PostTransitionAsync("bob", "3", "APPROVED", actor: "alice");
        var moveClaim = await PostTransitionAsync("alice", "3", "ALIAS_MOVED");

        Assert.Equal((200, 200, 200), (posted.Status, approval.Status, moveClaim.Status));
        var trail = await _server.Registry.ListTransitionsAsync(Model, "3");
        Assert.Equal([("alice", TransitionAction.Requested), ("bob", TransitionAction.Approved)], trail.Select(t => (t.Actor, t.Action)).ToList());
        Assert.All(trail, t => Assert.NotEqual(1, t.Timestamp));
        Assert.Null(await ChampionAsync()); // a client's claim of a move is not recorded, and moves nothing
    }

    [Fact]
    public async Task TheCli_AsTwoUsers_WaitsWithExitCode4_ThenTheSecondUsersApprovalMovesTheAlias()
    {
        static Dictionary<string, string> Env(string user) => new() { [ServerCredentials.MlflowUsernameVariable] = user, [ServerCredentials.MlflowPasswordVariable] = Password(user) };
        string[] uri = ["--tracking-uri", _server.BaseUri.ToString()];

        using var promote = ChildProcess.StartDll("cairn.dll", ["models", "promote", Model, "--version", "2", "--to", "production", .. uri], Env("carol"));
        var promoted = await promote.WaitAsync(TimeSpan.FromSeconds(90));
        using var own = ChildProcess.StartDll("cairn.dll", ["models", "approve", Model, "--version", "2", "--to", "production", "--comment", "mine", .. uri], Env("carol"));
        var ownExit = await own.WaitAsync(TimeSpan.FromSeconds(90));
        using var approve = ChildProcess.StartDll("cairn.dll", ["models", "approve", Model, "--version", "2", "--to", "production", "--comment", "reviewed", .. uri], Env("bob"));
        var approved = await approve.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(4, promoted);
        Assert.Contains("Waiting for approval by another user", promote.StandardOutput);
        Assert.NotEqual(0, ownExit);
        Assert.Contains("four eyes", own.StandardError);
        Assert.DoesNotContain("   at ", own.StandardError);
        Assert.True(approved == 0, approve.StandardError);
        Assert.Equal("2", (await _server.Registry.GetModelVersionByAliasAsync(Model, "production")).Version);
    }

    [Fact]
    public async Task AServerProtectingOtherAliases_LetsAnEditorSetChampion_ButNotTheAliasItProtects()
    {
        await using var server = await StartAsync(["gold"]);
        string Json(string alias) => $$"""{"name": "{{Model}}", "alias": "{{alias}}", "version": "1"}""";

        var champion = await SendAsync(server, "alice", "POST", "/api/2.0/mlflow/registered-models/alias", Json("champion"));
        var gold = await SendAsync(server, "alice", "POST", "/api/2.0/mlflow/registered-models/alias", Json("gold"));

        Assert.Equal(200, champion.Status);
        Assert.Equal((403, ErrorCodes.PermissionDenied), (gold.Status, gold.Code));
        Assert.Contains("'gold' is a protected alias", gold.Text);
    }

    [Fact]
    public async Task TheServerCommand_RefusesProtectedAliasesWithoutAuth_AndABadAlias()
    {
        using var folder = new TempFolder();
        var withoutAuth = new StringWriter();
        var badAlias = new StringWriter();

        var withoutAuthExit = await Cairn.Cli.CairnCli.RunAsync(["server", "--port", "0", "--no-scheduler", "--backend-store-uri", folder.File("store"), "--protected-aliases", "gold"], new StringWriter(), withoutAuth);
        var badAliasExit = await Cairn.Cli.CairnCli.RunAsync(["server", "--port", "0", "--no-scheduler", "--backend-store-uri", folder.File("store"), "--auth", "--protected-aliases", "gold,a b"], new StringWriter(), badAlias);

        Assert.Equal(2, withoutAuthExit);
        Assert.Contains("--protected-aliases needs --auth", withoutAuth.ToString());
        Assert.Equal(2, badAliasExit);
        Assert.Contains("Invalid alias 'a b'", badAlias.ToString());
    }

    [Fact]
    public void ProtectedAliases_ParseFromACommaList_NoneProtectsNone_AndABadAliasIsRefused()
    {
        Assert.Equal(["champion", "gold"], FourEyes.ParseAliases(" champion, gold,champion "));
        Assert.Empty(FourEyes.ParseAliases("none"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => FourEyes.ParseAliases("champion,a b")).ErrorCode);
    }
}
