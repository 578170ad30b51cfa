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
    /// <summary>Maps the permission endpoints onto the authentication's identity store.</summary>
    public static IEndpointRouteBuilder MapPermissionsApi(this IEndpointRouteBuilder app, ServerAuthentication authentication)
    {
        var identity = authentication.Identity;
        var resolver = new PermissionResolver(identity, authentication.DefaultPermission);

        async Task<(UserAccount User, string Resource)> ManagedAsync(HttpContext http, string type, string? resource, string? username, string resourceField)
        {
            var id = ApiIo.Require(resource, resourceField);
            var caller = http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");
            if (!(await resolver.ResolveAsync(caller, type, id, http.RequestAborted)).CanManage())
                throw new CairnException(ErrorCodes.PermissionDenied, $"Managing permissions on {type.Replace('_', ' ')} '{id}' needs MANAGE on it.");
            return (await identity.GetUserAsync(ApiIo.Require(username, "username"), http.RequestAborted), id);
        }

        async Task<ResourcePermission> ExistingAsync(string type, string id, UserAccount user, CancellationToken ct) =>
            await identity.GetPermissionAsync(type, id, Principals.User(user.Username), ct)
            ?? throw CairnException.NotFound($"User '{user.Username}' has no permission of their own on {type.Replace('_', ' ')} '{id}'.");

        var experiments = app.MapGroup("/api/2.0/mlflow/experiments/permissions").WithTags("Permissions");
        ExperimentPermissionResponse Experiment(ResourcePermission p, UserAccount user) => new(new(p.ResourceId, user.Id, p.Permission.Name()));
        experiments.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ExperimentPermissionRequest>(http);
            var (user, id) = await ManagedAsync(http, ResourceTypes.Experiment, body.ExperimentId, body.Username, "experiment_id");
            if (await identity.GetPermissionAsync(ResourceTypes.Experiment, id, Principals.User(user.Username), http.RequestAborted) is not null)
                throw CairnException.AlreadyExists($"User '{user.Username}' already has a permission on experiment '{id}': update it.");
            var permission = new ResourcePermission(ResourceTypes.Experiment, id, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(body.Permission, "permission")));
            await identity.SetPermissionAsync(permission, http.RequestAborted);
            return ApiIo.Json(Experiment(permission, user));
        });
        experiments.MapGet("/get", async (HttpContext http) =>
        {
            var (user, id) = await ManagedAsync(http, ResourceTypes.Experiment, ApiIo.Query(http, "experiment_id"), ApiIo.Query(http, "username"), "experiment_id");
            return ApiIo.Json(Experiment(await ExistingAsync(ResourceTypes.Experiment, id, user, http.RequestAborted), user));
        });
        experiments.MapPatch("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ExperimentPermissionRequest>(http);
            var (user, id) = await ManagedAsync(http, ResourceTypes.Experiment, body.ExperimentId, body.Username, "experiment_id");
            await ExistingAsync(ResourceTypes.Experiment, id, user, http.RequestAborted);
            await identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, id, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(body.Permission, "permission"))), http.RequestAborted);
            return ApiIo.Empty();
        });
        experiments.MapDelete("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<ExperimentPermissionRequest>(http);
            var (user, id) = await ManagedAsync(http, ResourceTypes.Experiment, body.ExperimentId, body.Username, "experiment_id");
            if (!await identity.DeletePermissionAsync(ResourceTypes.Experiment, id, Principals.User(user.Username), http.RequestAborted))
                throw CairnException.NotFound($"User '{user.Username}' has no permission of their own on experiment '{id}'.");
            return ApiIo.Empty();
        });

        var models = app.MapGroup("/api/2.0/mlflow/registered-models/permissions").WithTags("Permissions");
        RegisteredModelPermissionResponse Model(ResourcePermission p, UserAccount user) => new(new(p.ResourceId, user.Id, p.Permission.Name()));
        models.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RegisteredModelPermissionRequest>(http);
            var (user, name) = await ManagedAsync(http, ResourceTypes.RegisteredModel, body.Name, body.Username, "name");
            if (await identity.GetPermissionAsync(ResourceTypes.RegisteredModel, name, Principals.User(user.Username), http.RequestAborted) is not null)
                throw CairnException.AlreadyExists($"User '{user.Username}' already has a permission on registered model '{name}': update it.");
            var permission = new ResourcePermission(ResourceTypes.RegisteredModel, name, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(body.Permission, "permission")));
            await identity.SetPermissionAsync(permission, http.RequestAborted);
            return ApiIo.Json(Model(permission, user));
        });
        models.MapGet("/get", async (HttpContext http) =>
        {
            var (user, name) = await ManagedAsync(http, ResourceTypes.RegisteredModel, ApiIo.Query(http, "name"), ApiIo.Query(http, "username"), "name");
            return ApiIo.Json(Model(await ExistingAsync(ResourceTypes.RegisteredModel, name, user, http.RequestAborted), user));
        });
        models.MapPatch("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RegisteredModelPermissionRequest>(http);
            var (user, name) = await ManagedAsync(http, ResourceTypes.RegisteredModel, body.Name, body.Username, "name");
            await ExistingAsync(ResourceTypes.RegisteredModel, name, user, http.RequestAborted);
            await identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.RegisteredModel, name, Principals.User(user.Username), Permissions.Parse(ApiIo.Require(body.Permission, "permission"))), http.RequestAborted);
            return ApiIo.Empty();
        });
        models.MapDelete("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<RegisteredModelPermissionRequest>(http);
            var (user, name) = await ManagedAsync(http, ResourceTypes.RegisteredModel, body.Name, body.Username, "name");
            if (!await identity.DeletePermissionAsync(ResourceTypes.RegisteredModel, name, Principals.User(user.Username), http.RequestAborted))
                throw CairnException.NotFound($"User '{user.Username}' has no permission of their own on registered model '{name}'.");
            return ApiIo.Empty();
        });
        return app;
    }
}
