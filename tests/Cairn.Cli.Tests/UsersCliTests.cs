using Cairn.Security;
using Cairn.Storage.Sqlite;

namespace Cairn.Cli.Tests;

/// <summary><c>cairn users</c> and <c>cairn tokens</c> on a real SQLite metadata database.</summary>
public sealed class UsersCliTests : CliRunner
{
    private string PasswordFile(string password)
    {
        var file = Folder.File($"pw-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, password + "\n");
        return file;
    }

    private static void AssertUserError((int Exit, string Out, string Err) result, string message)
    {
        Assert.Equal(2, result.Exit);
        Assert.Contains(message, result.Err);
        Assert.DoesNotContain("   at ", result.Err);
    }

    [Fact]
    public async Task UsersCreate_ThenTheStoredHashVerifiesThePassword_AndListShowsTheUser()
    {
        var created = await Cairn("users", "create", "alice", "--admin", "--password-file", PasswordFile("correct horse battery"));
        var listed = await Cairn("users", "list", "-o", "json");

        Assert.True(created.Exit == 0, created.Err);
        Assert.Contains("Created user alice (admin).", created.Out);
        Assert.Contains("\"username\": \"alice\"", listed.Out);
        Assert.DoesNotContain("pbkdf2", listed.Out);
        using var stores = new SqliteStores(Path.Combine(Store, "cairn.db"));
        Assert.NotNull(await new AccountService(stores.Identity).SignInAsync("alice", "correct horse battery"));
        Assert.True((await stores.Identity.GetUserAsync("alice")).IsAdmin);
    }

    [Fact]
    public async Task UsersPasswd_ReplacesThePassword_AndDeleteRemovesTheUser()
    {
        await Cairn("users", "create", "alice", "--password-file", PasswordFile("correct horse battery"));

        var changed = await Cairn("users", "passwd", "alice", "--password-file", PasswordFile("another long password"));

        Assert.True(changed.Exit == 0, changed.Err);
        using (var stores = new SqliteStores(Path.Combine(Store, "cairn.db")))
        {
            var accounts = new AccountService(stores.Identity);
            Assert.Null(await accounts.SignInAsync("alice", "correct horse battery"));
            Assert.NotNull(await accounts.SignInAsync("alice", "another long password"));
        }
        Assert.Equal(0, (await Cairn("users", "delete", "alice")).Exit);
        Assert.Equal(3, (await Cairn("users", "delete", "alice")).Exit);
        Assert.DoesNotContain("alice", (await Cairn("users", "list")).Out);
    }

    [Fact]
    public async Task UsersCreate_BadInput_IsAUserErrorThatNeverEchoesThePassword()
    {
        AssertUserError(await Cairn("users", "create", "alice", "--password-file", PasswordFile("short-pw")), "12 to 1024 characters");
        Assert.DoesNotContain("short-pw", (await Cairn("users", "create", "alice", "--password-file", PasswordFile("short-pw"))).Err);
        AssertUserError(await Cairn("users", "create", "bad name", "--password-file", PasswordFile("correct horse battery")), "not a valid user name");
        AssertUserError(await Cairn("users", "create", "alice", "--password-file", PasswordFile("")), "12 to 1024 characters");
        await Cairn("users", "create", "alice", "--password-file", PasswordFile("correct horse battery"));
        AssertUserError(await Cairn("users", "create", "alice", "--password-file", PasswordFile("correct horse battery")), "already exists");
        AssertUserError(await Cairn("users", "list", "--backend-store-uri", "http://127.0.0.1:5000"), "give --backend-store-uri");
    }

    [Fact]
    public async Task TokensCreate_PrintsTheSecretOnce_ItSignsIn_AndRevokeStopsIt()
    {
        await Cairn("users", "create", "alice", "--password-file", PasswordFile("correct horse battery"));

        var created = await Cairn("tokens", "create", "--user", "alice", "--name", "ci", "--expires", "90d");
        var secret = created.Out.Split('\n')[0].Trim();
        var listed = await Cairn("tokens", "list", "--user", "alice");

        Assert.True(created.Exit == 0, created.Err);
        Assert.True(ApiTokenSecrets.Looks(secret), secret);
        Assert.Contains("only time the secret is shown", created.Out);
        Assert.Contains("active", listed.Out);
        Assert.DoesNotContain(secret, listed.Out);
        using (var stores = new SqliteStores(Path.Combine(Store, "cairn.db")))
            Assert.Equal("alice", (await new AccountService(stores.Identity).AuthenticateTokenAsync(secret))!.Username);

        var id = (await Cairn("tokens", "list", "-o", "json")).Out.Split('"').SkipWhile(s => s != "id").Skip(2).First();
        Assert.Equal(0, (await Cairn("tokens", "revoke", id)).Exit);

        Assert.Contains("revoked", (await Cairn("tokens", "list")).Out);
        using (var stores = new SqliteStores(Path.Combine(Store, "cairn.db")))
            Assert.Null(await new AccountService(stores.Identity).AuthenticateTokenAsync(secret));
        AssertUserError(await Cairn("tokens", "create", "--user", "alice", "--expires", "soon"), "Invalid --expires 'soon'");
        Assert.Equal(3, (await Cairn("tokens", "create", "--user", "bob")).Exit);
    }

    [Fact]
    public async Task Groups_AddListAndRemoveMembers_OnTheDatabase()
    {
        await Cairn("users", "create", "alice", "--password-file", PasswordFile("correct horse battery"));
        await Cairn("users", "create", "bob", "--password-file", PasswordFile("correct horse battery"));

        var added = await Cairn("groups", "add", "ml-team", "alice");
        await Cairn("groups", "add", "ml-team", "bob");
        await Cairn("groups", "add", "analysts", "bob");
        var listed = await Cairn("groups", "list", "ml-team", "-o", "json");
        var removed = await Cairn("groups", "remove", "ml-team", "alice");

        Assert.True(added.Exit == 0, added.Err);
        var group = System.Text.Json.JsonDocument.Parse(listed.Out).RootElement.GetProperty("groups").EnumerateArray().Single();
        Assert.Equal("ml-team", group.GetProperty("name").GetString());
        Assert.Equal(["alice", "bob"], group.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.True(removed.Exit == 0, removed.Err);
        using (var stores = new SqliteStores(Path.Combine(Store, "cairn.db")))
        {
            Assert.Empty((await stores.Identity.GetUserAsync("alice")).Groups);
            Assert.Equal(["analysts", "ml-team"], (await stores.Identity.GetUserAsync("bob")).Groups);
        }
        Assert.Equal(3, (await Cairn("groups", "remove", "ml-team", "alice")).Exit);
        Assert.Equal(3, (await Cairn("groups", "list", "nobody-here")).Exit);
        AssertUserError(await Cairn("groups", "add", "bad group", "bob"), "not a valid group name");
    }

}

/// <summary><c>cairn permissions</c> on a real SQLite metadata database.</summary>
public sealed class PermissionsCliTests : CliRunner
{
    [Fact]
    public async Task GrantListRevoke_ReachTheStore_AndBadInputIsAUserError()
    {
        var pw = Folder.File("pw.txt");
        File.WriteAllText(pw, "correct horse battery\n");
        await Cairn("users", "create", "alice", "--password-file", pw);

        var granted = await Cairn("permissions", "grant", "EDIT", "--experiment", "7", "--user", "alice");
        var regranted = await Cairn("permissions", "grant", "manage", "--experiment", "7", "--user", "alice");
        var grouped = await Cairn("permissions", "grant", "READ", "--model", "delay", "--group", "ml-team");
        var listed = await Cairn("permissions", "list", "--user", "alice", "-o", "json");

        Assert.True(granted.Exit == 0, granted.Err);
        Assert.Equal(0, regranted.Exit);
        Assert.Equal(0, grouped.Exit);
        Assert.Contains("\"permission\": \"MANAGE\"", listed.Out);
        Assert.DoesNotContain("ml-team", listed.Out);
        using (var stores = new SqliteStores(Path.Combine(Store, "cairn.db")))
        {
            Assert.Equal(Permission.Manage, (await stores.Identity.GetPermissionAsync(ResourceTypes.Experiment, "7", "user:alice"))!.Permission);
            Assert.Equal(Permission.Read, (await stores.Identity.GetPermissionAsync(ResourceTypes.RegisteredModel, "delay", "group:ml-team"))!.Permission);
        }
        Assert.Equal(0, (await Cairn("permissions", "revoke", "--experiment", "7", "--user", "alice")).Exit);
        Assert.Equal(3, (await Cairn("permissions", "revoke", "--experiment", "7", "--user", "alice")).Exit);
        Assert.Contains("group:ml-team", (await Cairn("permissions", "list")).Out);

        var wrongLevel = await Cairn("permissions", "grant", "WRITE", "--experiment", "7", "--user", "alice");
        var twoResources = await Cairn("permissions", "grant", "READ", "--experiment", "7", "--model", "delay", "--user", "alice");
        var unknownUser = await Cairn("permissions", "grant", "READ", "--experiment", "7", "--user", "bob");
        Assert.Equal(2, wrongLevel.Exit);
        Assert.Contains("'WRITE' is not a permission", wrongLevel.Err);
        Assert.Equal(2, twoResources.Exit);
        Assert.Contains("Name one resource", twoResources.Err);
        Assert.Equal(3, unknownUser.Exit);
        Assert.DoesNotContain("   at ", wrongLevel.Err + twoResources.Err + unknownUser.Err);
    }

}
