using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Security;

/// <summary>
/// MLflow's permission endpoints for experiments and registered models on a server with --auth:
/// whoever may manage the resource (MANAGE, or an admin) creates, reads, changes and deletes a
/// user's permission on it.
/// </summary>
public static class PermissionsApi
{
    /// <summary>What differs between the two kinds of resource: the path, the field naming it, the request and answer shapes.</summary>
    private sealed record ResourceKind(
        string Type, string Path, string Field,
        Func<HttpContext, bool, Task<(string? Id, string? Username, string? Permission)>> Read,
        Func<ResourcePermission, UserAccount, object> Answer);

    private static readonly ResourceKind[] Kinds =
    [
        new(ResourceTypes.Experiment, "/api/2.0/mlflow/experiments/permissions", "experiment_id",
            async (http, optionalBody) =>
            {
                var b = optionalBody ? await ApiIo.ReadBodyOrQueryAsync<ExperimentPermissionRequest>(http) : await ApiIo.ReadBodyAsync<ExperimentPermissionRequest>(http);
                return (b.ExperimentId, b.Username, b.Permission);
            },
            (p, user) => new ExperimentPermissionResponse(new(p.ResourceId, user.Id, p.Permission.Name()))),
        new(ResourceTypes.RegisteredModel, "/api/2.0/mlflow/registered-models/permissions", "name",
            async (http, optionalBody) =>
            {
                var b = optionalBody ? await ApiIo.ReadBodyOrQueryAsync<RegisteredModelPermissionRequest>(http) : await ApiIo.ReadBodyAsync<RegisteredModelPermissionRequest>(http);
                return (b.Name, b.Username, b.Permission);
            },
            (p, user) => new RegisteredModelPermissionResponse(new(p.ResourceId, user.Id, p.Permission.Name()))),
    ];

    /// <summary>Maps the permission endpoints onto the authentication's identity store.</summary>
    public static IEndpointRouteBuilder MapPermissionsApi(this IEndpointRouteBuilder app, ServerAuthentication authentication)
    {
        var resolver = new PermissionResolver(authentication.Identity, authentication.DefaultPermission);
        foreach (var kind in Kinds) Map(app, kind, authentication.Identity, resolver);
        return app;
    }

    private static void Map(IEndpointRouteBuilder app, ResourceKind kind, IIdentityStore identity, PermissionResolver resolver)
    {
        var what = kind.Type.Replace('_', ' ');

        // The target user and resource, once the caller is known to manage the resource.
        async Task<(UserAccount User, string Id)> ManagedAsync(HttpContext http, string? resource, string? username)
        {
            var id = ApiIo.Require(resource, kind.Field);
            var caller = http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");
            if (!(await resolver.ResolveAsync(caller, kind.Type, id, http.RequestAborted)).CanManage())
                throw new CairnException(ErrorCodes.PermissionDenied, $"Managing permissions on {what} '{id}' needs MANAGE on it.");
            return (await identity.GetUserAsync(ApiIo.Require(username, "username"), http.RequestAborted), id);
        }

        async Task<ResourcePermission?> OwnAsync(string id, UserAccount user, CancellationToken ct) =>
            await identity.GetPermissionAsync(kind.Type, id, Principals.User(user.Username), ct);

        CairnException NoneOfTheirOwn(string id, UserAccount user) =>
            CairnException.NotFound($"User '{user.Username}' has no permission of their own on {what} '{id}'.");

        var group = app.MapGroup(kind.Path).WithTags("Permissions").Requires(Access.SignedIn);
        group.MapPost("/create", async (HttpContext http) =>
        {
            var (resource, username, level) = await kind.Read(http, false);
            var (user, id) = await ManagedAsync(http, resource, username);
            if (await OwnAsync(id, user, http.RequestAborted) is not null)
                throw CairnException.AlreadyExists($"User '{user.Username}' already has a permission on {what} '{id}': update it.");
            var permission = new ResourcePermission(kind.Type, id, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(level, "permission")));
            await identity.SetPermissionAsync(permission, http.RequestAborted);
            return ApiIo.Json(kind.Answer(permission, user));
        });
        group.MapGet("/get", async (HttpContext http) =>
        {
            var (user, id) = await ManagedAsync(http, ApiIo.Query(http, kind.Field), ApiIo.Query(http, "username"));
            return ApiIo.Json(kind.Answer(await OwnAsync(id, user, http.RequestAborted) ?? throw NoneOfTheirOwn(id, user), user));
        });
        group.MapPatch("/update", async (HttpContext http) =>
        {
            var (resource, username, level) = await kind.Read(http, false);
            var (user, id) = await ManagedAsync(http, resource, username);
            _ = await OwnAsync(id, user, http.RequestAborted) ?? throw NoneOfTheirOwn(id, user);
            await identity.SetPermissionAsync(new ResourcePermission(kind.Type, id, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(level, "permission"))), http.RequestAborted);
            return ApiIo.Empty();
        });
        group.MapDelete("/delete", async (HttpContext http) =>
        {
            var (resource, username, _) = await kind.Read(http, true);
            var (user, id) = await ManagedAsync(http, resource, username);
            if (!await identity.DeletePermissionAsync(kind.Type, id, Principals.User(user.Username), http.RequestAborted)) throw NoneOfTheirOwn(id, user);
            return ApiIo.Empty();
        });
    }
}
