using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Security.Tests;

/// <summary>Effective permissions on a real SQLite identity store: admin, own, groups, default.</summary>
public sealed class PermissionResolverTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteStores _stores;

    public PermissionResolverTests() => _stores = new SqliteStores(_folder.File("cairn.db"));

    public void Dispose()
    {
        _stores.Dispose();
        _folder.Dispose();
    }

    private async Task<UserAccount> UserAsync(string name, bool admin = false, params string[] groups)
    {
        await _stores.Identity.CreateUserAsync(name, "hash", admin);
        foreach (var group in groups) await _stores.Identity.AddToGroupAsync(group, name);
        return await _stores.Identity.GetUserAsync(name);
    }

    private Task GrantAsync(string principal, Permission permission, string experiment = "7") =>
        _stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, experiment, principal, permission));

    [Fact]
    public async Task OwnBeatsGroups_GroupsGiveTheirHighest_AndTheDefaultFillsTheRest()
    {
        var alice = await UserAsync("alice", groups: ["readers", "editors"]);
        var bob = await UserAsync("bob", groups: ["readers", "editors"]);
        var carol = await UserAsync("carol");
        var root = await UserAsync("root", admin: true);
        await GrantAsync("group:readers", Permission.Read);
        await GrantAsync("group:editors", Permission.Edit);
        await GrantAsync("user:alice", Permission.NoPermissions);
        var resolver = new PermissionResolver(_stores.Identity);

        Assert.Equal(Permission.NoPermissions, await resolver.ResolveAsync(alice, ResourceTypes.Experiment, "7"));
        Assert.Equal(Permission.Edit, await resolver.ResolveAsync(bob, ResourceTypes.Experiment, "7"));
        Assert.Equal(Permission.Read, await resolver.ResolveAsync(carol, ResourceTypes.Experiment, "7"));
        Assert.Equal(Permission.Read, await resolver.ResolveAsync(bob, ResourceTypes.Experiment, "8"));
        Assert.Equal(Permission.Manage, await resolver.ResolveAsync(root, ResourceTypes.Experiment, "7"));
        Assert.Equal(Permission.NoPermissions, await new PermissionResolver(_stores.Identity, Permission.NoPermissions).ResolveAsync(carol, ResourceTypes.Experiment, "7"));
    }
}
