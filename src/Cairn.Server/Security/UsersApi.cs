using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Security;

/// <summary>
/// MLflow's user endpoints (/api/2.0/mlflow/users/*) on a server with --auth: admins create,
/// promote and delete users; a user may read and change only their own account.
/// </summary>
public static class UsersApi
{
    /// <summary>Maps the user endpoints onto the authentication's stores.</summary>
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app, ServerAuthentication authentication)
    {
        var (accounts, identity) = (authentication.Accounts, authentication.Identity);
        var group = app.MapGroup("/api/2.0/mlflow/users").WithTags("Users").Requires(Access.SignedIn);

        group.MapPost("/create", async (HttpContext http) =>
        {
            RequireAdmin(http);
            var body = await ApiIo.ReadBodyAsync<CreateUserRequest>(http);
            var user = await accounts.CreateUserAsync(ApiIo.Require(body.Username, "username"), ApiIo.Require(body.Password, "password"), isAdmin: false, http.RequestAborted);
            return ApiIo.Json(new UserResponse(await MessageAsync(identity, user, http.RequestAborted)));
        }).Accepts<CreateUserRequest>("application/json").Produces<UserResponse>();

        group.MapGet("/get", async (HttpContext http) =>
        {
            var username = ApiIo.Require(ApiIo.Query(http, "username"), "username");
            RequireSelfOrAdmin(http, username);
            var user = await identity.GetUserAsync(username, http.RequestAborted);
            return ApiIo.Json(new UserResponse(await MessageAsync(identity, user, http.RequestAborted)));
        }).Produces<UserResponse>();

        group.MapPatch("/update-password", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<UpdateUserPasswordRequest>(http);
            var username = ApiIo.Require(body.Username, "username");
            RequireSelfOrAdmin(http, username);
            await accounts.ChangePasswordAsync(username, ApiIo.Require(body.Password, "password"), http.RequestAborted);
            http.ForgetCredentials(username);
            return ApiIo.Empty();
        }).Accepts<UpdateUserPasswordRequest>("application/json");

        group.MapPatch("/update-admin", async (HttpContext http) =>
        {
            RequireAdmin(http);
            var body = await ApiIo.ReadBodyAsync<UpdateUserAdminRequest>(http);
            var username = ApiIo.Require(body.Username, "username");
            await identity.UpdateAdminAsync(username, body.IsAdmin ?? throw CairnException.InvalidParameter("Missing value for required parameter 'is_admin'."), http.RequestAborted);
            http.ForgetCredentials(username);
            return ApiIo.Empty();
        }).Accepts<UpdateUserAdminRequest>("application/json");

        group.MapDelete("/delete", async (HttpContext http) =>
        {
            RequireAdmin(http);
            var username = ApiIo.Require((await ApiIo.ReadBodyOrQueryAsync<DeleteUserRequest>(http)).Username, "username");
            await identity.DeleteUserAsync(username, http.RequestAborted);
            http.ForgetCredentials(username);
            return ApiIo.Empty();
        });
        return app;
    }

    private static UserAccount Caller(HttpContext http) =>
        http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");

    private static void RequireAdmin(HttpContext http)
    {
        if (!Caller(http).IsAdmin) throw new CairnException(ErrorCodes.PermissionDenied, "Only an admin may do this.");
    }

    private static void RequireSelfOrAdmin(HttpContext http, string username)
    {
        var caller = Caller(http);
        if (!caller.IsAdmin && caller.Username != username) throw new CairnException(ErrorCodes.PermissionDenied, "Only an admin or the user themselves may do this.");
    }

    private static async Task<UserMessage> MessageAsync(IIdentityStore identity, UserAccount user, CancellationToken ct)
    {
        var permissions = await identity.ListPermissionsAsync(principal: Principals.User(user.Username), ct: ct);
        return new UserMessage(user.Id, user.Username, user.IsAdmin,
            [.. permissions.Where(p => p.ResourceType == ResourceTypes.Experiment).Select(p => new ExperimentPermissionMessage(p.ResourceId, user.Id, p.Permission.Name()))],
            [.. permissions.Where(p => p.ResourceType == ResourceTypes.RegisteredModel).Select(p => new RegisteredModelPermissionMessage(p.ResourceId, user.Id, p.Permission.Name()))]);
    }
}
