using Cairn.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>
/// What endpoints tell the permissions about the resources they create, rename and delete, and
/// ask of them for searches. Each does nothing on a server without --auth.
/// </summary>
public static class ResourceEvents
{
    /// <summary>The creator of an experiment or registered model manages it (as in MLflow).</summary>
    public static async Task CreatedAsync(this HttpContext http, string resourceType, string resourceId)
    {
        if (Authorization(http) is not { } authorization || http.Caller() is not { } caller) return;
        await authorization.Identity.SetPermissionAsync(
            new ResourcePermission(resourceType, resourceId, Principals.User(caller.Username), Permission.Manage), http.RequestAborted);
    }

    /// <summary>A renamed registered model keeps its permissions under its new name.</summary>
    public static async Task RenamedAsync(this HttpContext http, string resourceType, string oldId, string newId)
    {
        if (Authorization(http) is not { } authorization) return;
        foreach (var granted in await authorization.Identity.ListPermissionsAsync(resourceType, oldId, ct: http.RequestAborted))
        {
            await authorization.Identity.SetPermissionAsync(granted with { ResourceId = newId }, http.RequestAborted);
            await authorization.Identity.DeletePermissionAsync(resourceType, oldId, granted.Principal, http.RequestAborted);
        }
    }

    /// <summary>A deleted registered model's permissions go with it, so that a new one of the same name starts afresh.</summary>
    public static async Task DeletedAsync(this HttpContext http, string resourceType, string resourceId)
    {
        if (Authorization(http) is not { } authorization) return;
        foreach (var granted in await authorization.Identity.ListPermissionsAsync(resourceType, resourceId, ct: http.RequestAborted))
            await authorization.Identity.DeletePermissionAsync(resourceType, resourceId, granted.Principal, http.RequestAborted);
    }

    /// <summary>Which resources of a type the caller may read; null when they may read all (auth off, or an admin).</summary>
    public static async Task<Func<string, bool>?> ReadableAsync(this HttpContext http, string resourceType)
    {
        if (Authorization(http) is not { } authorization || http.Caller() is not { IsAdmin: false } caller) return null;
        var permissionOf = await authorization.Resolver.ResolveAllAsync(caller, resourceType, http.RequestAborted);
        return id => permissionOf(id).CanRead();
    }

    private static ServerAuthorization? Authorization(HttpContext http) =>
        http.Items.TryGetValue(typeof(ServerAuthorization), out var found) ? found as ServerAuthorization : null;
}
