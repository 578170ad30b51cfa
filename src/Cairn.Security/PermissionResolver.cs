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
}
