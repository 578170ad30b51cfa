namespace Cairn.Security;

/// <summary>
/// A user's permission on one resource, as MLflow's auth decides it and Cairn extends it with
/// groups: admins may do everything; else the user's own permission on the resource; else the
/// highest of their groups'; else the server's default (MLflow's is READ).
/// </summary>
public sealed class PermissionResolver(IIdentityStore identity, Permission defaultPermission = Permission.Read)
{
    /// <summary>What a user without a permission of their own or of a group gets.</summary>
    public Permission Default => defaultPermission;

    /// <summary>The user's effective permission on the resource.</summary>
    public async Task<Permission> ResolveAsync(UserAccount user, string resourceType, string resourceId, CancellationToken ct = default)
    {
        if (user.IsAdmin) return Permission.Manage;
        var granted = await identity.ListPermissionsAsync(resourceType, resourceId, ct: ct).ConfigureAwait(false);
        if (granted.FirstOrDefault(p => p.Principal == Principals.User(user.Username)) is { } own) return own.Permission;
        var groups = user.Groups.Select(Principals.Group).ToHashSet(StringComparer.Ordinal);
        var fromGroups = granted.Where(p => groups.Contains(p.Principal)).Select(p => (Permission?)p.Permission).Max();
        return fromGroups ?? defaultPermission;
    }

    /// <summary>
    /// The user's effective permission on every resource of a type, from one read per principal
    /// (the user and each group): for leaving out of a search what the user may not read.
    /// </summary>
    public async Task<Func<string, Permission>> ResolveAllAsync(UserAccount user, string resourceType, CancellationToken ct = default)
    {
        if (user.IsAdmin) return _ => Permission.Manage;
        var own = (await identity.ListPermissionsAsync(resourceType, principal: Principals.User(user.Username), ct: ct).ConfigureAwait(false))
            .ToDictionary(p => p.ResourceId, p => p.Permission, StringComparer.Ordinal);
        var fromGroups = new Dictionary<string, Permission>(StringComparer.Ordinal);
        foreach (var group in user.Groups)
            foreach (var granted in await identity.ListPermissionsAsync(resourceType, principal: Principals.Group(group), ct: ct).ConfigureAwait(false))
                fromGroups[granted.ResourceId] = fromGroups.TryGetValue(granted.ResourceId, out var other) && other > granted.Permission ? other : granted.Permission;
        return id => own.TryGetValue(id, out var mine) ? mine : fromGroups.TryGetValue(id, out var group) ? group : defaultPermission;
    }
}
