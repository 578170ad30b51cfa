using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Security;

/// <summary>
/// What MLflow's auth API lacks, under /api/2.0/cairn/ on a server with --auth, so that
/// <c>cairn users|tokens|groups|permissions</c> work against a server: listing users (admins),
/// API tokens (a user their own, admins anyone's; the secret is answered once), group membership
/// (admins), and permissions for users and groups (whoever may manage the resource, as
/// <see cref="PermissionsApi"/> decides). Hashes never leave the server.
/// </summary>
public static class AdministrationApi
{
    private const string Root = "/api/2.0/cairn";

    /// <summary>Maps the administration endpoints onto the authentication's stores.</summary>
    public static IEndpointRouteBuilder MapAdministrationApi(this IEndpointRouteBuilder app, ServerAuthentication authentication)
    {
        var (accounts, identity) = (authentication.Accounts, authentication.Identity);
        var resolver = new PermissionResolver(identity, authentication.DefaultPermission);

        app.MapGet($"{Root}/users/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new UsersResponse(await identity.ListUsersAsync(http.RequestAborted)));
        })
            .WithTags("Users").Requires(Access.Admin).Produces<UsersResponse>();

        app.MapGet($"{Root}/users/get", async (HttpContext http) =>
        {
            var username = ApiIo.Require(ApiIo.Query(http, "username"), "username");
            RequireSelfOrAdmin(http, username, "read another user's account");
            return ApiIo.Json(new AccountResponse(await identity.GetUserAsync(username, http.RequestAborted)));
        }).WithTags("Users").Requires(Access.SignedIn).Produces<AccountResponse>();

        MapTokens(app, accounts, identity);
        MapGroups(app, identity);
        MapPermissions(app, identity, resolver);
        return app;
    }

    private static void MapTokens(IEndpointRouteBuilder app, AccountService accounts, IIdentityStore identity)
    {
        var tokens = app.MapGroup($"{Root}/tokens").WithTags("Tokens").Requires(Access.SignedIn);

        tokens.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateTokenRequest>(http);
            var username = ApiIo.Require(body.Username, "username");
            RequireSelfOrAdmin(http, username, "create a token for another user");
            // Clamped only so that a huge number cannot overflow; the account service refuses what is out of bounds.
            var lifetime = body.LifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, (long)AccountService.MaxTokenLifetime.TotalSeconds + 1)) : (TimeSpan?)null;
            var (token, secret) = await accounts.IssueTokenAsync(username, ApiIo.Require(body.Name, "name"), lifetime, http.RequestAborted);
            return ApiIo.Json(new CreatedTokenResponse(token, secret));
        }).Accepts<CreateTokenRequest>("application/json").Produces<CreatedTokenResponse>();

        tokens.MapGet("/list", async (HttpContext http) =>
        {
            var caller = Caller(http);
            // A user who names nobody sees their own tokens; only admins see everyone's.
            var username = ApiIo.Query(http, "username") ?? (caller.IsAdmin ? null : caller.Username);
            if (username is not null) RequireSelfOrAdmin(http, username, "list another user's tokens");
            return ApiIo.Json(new TokensResponse(await identity.ListTokensAsync(username, http.RequestAborted)));
        }).Produces<TokensResponse>();

        tokens.MapPost("/revoke", async (HttpContext http) =>
        {
            var id = ApiIo.Require((await ApiIo.ReadBodyAsync<RevokeTokenRequest>(http)).TokenId, "token_id");
            var caller = Caller(http);
            // Answered the same whether another user's token exists or not: ids are not to be probed.
            if (!caller.IsAdmin && !(await identity.ListTokensAsync(caller.Username, http.RequestAborted)).Any(t => t.Id == id))
                throw new CairnException(ErrorCodes.PermissionDenied, $"Token {id} is not one of yours: only an admin may revoke another user's token.");
            var token = await identity.RevokeTokenAsync(id, http.RequestAborted);
            http.ForgetCredentials(token.Username);
            return ApiIo.Json(new TokenResponse(token));
        }).Accepts<RevokeTokenRequest>("application/json").Produces<TokenResponse>();
    }

    private static void MapGroups(IEndpointRouteBuilder app, IIdentityStore identity)
    {
        var groups = app.MapGroup($"{Root}/groups").WithTags("Groups").Requires(Access.Admin);

        groups.MapPost("/add-member", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<GroupMemberRequest>(http);
            var username = ApiIo.Require(body.Username, "username");
            await identity.AddToGroupAsync(ApiIo.Require(body.Group, "group"), username, http.RequestAborted);
            http.ForgetCredentials(username); // the remembered account lists the old groups
            return ApiIo.Empty();
        }).Accepts<GroupMemberRequest>("application/json");

        groups.MapPost("/remove-member", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<GroupMemberRequest>(http);
            var username = ApiIo.Require(body.Username, "username");
            var removed = await identity.RemoveFromGroupAsync(ApiIo.Require(body.Group, "group"), username, http.RequestAborted);
            http.ForgetCredentials(username);
            return ApiIo.Json(new GroupMemberRemovedResponse(removed));
        }).Accepts<GroupMemberRequest>("application/json").Produces<GroupMemberRemovedResponse>();

        groups.MapGet("/list", async (HttpContext http) =>
        {
            var group = ApiIo.Query(http, "group") is { } name ? IdentityRules.Group(name) : null;
            return ApiIo.Json(new GroupsResponse(IdentityGroups.Of(await identity.ListUsersAsync(http.RequestAborted), group)));
        }).Produces<GroupsResponse>();
    }

    private static void MapPermissions(IEndpointRouteBuilder app, IIdentityStore identity, PermissionResolver resolver)
    {
        // The resource, once the caller is known to manage it (MANAGE on it, or an admin).
        async Task<(string Type, string Id)> ManagedAsync(HttpContext http, string? type, string? id)
        {
            var resourceType = IdentityRules.ResourceType(ApiIo.Require(type, "resource_type"));
            var resourceId = ApiIo.Require(id, "resource_id");
            if (!(await resolver.ResolveAsync(Caller(http), resourceType, resourceId, http.RequestAborted)).CanManage())
                throw new CairnException(ErrorCodes.PermissionDenied, $"Managing permissions on {resourceType.Replace('_', ' ')} '{resourceId}' needs MANAGE on it.");
            return (resourceType, resourceId);
        }

        var permissions = app.MapGroup($"{Root}/permissions").WithTags("Permissions").Requires(Access.SignedIn);

        permissions.MapPost("/set", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<PermissionRequest>(http);
            var (type, id) = await ManagedAsync(http, body.ResourceType, body.ResourceId);
            var permission = new ResourcePermission(type, id, ApiIo.Require(body.Principal, "principal"), Permissions.Parse(ApiIo.Require(body.Permission, "permission")));
            await identity.SetPermissionAsync(permission, http.RequestAborted);
            return ApiIo.Json(new PermissionResponse(permission));
        }).Accepts<PermissionRequest>("application/json").Produces<PermissionResponse>();

        permissions.MapGet("/get", async (HttpContext http) =>
        {
            var (type, id) = await ManagedAsync(http, ApiIo.Query(http, "resource_type"), ApiIo.Query(http, "resource_id"));
            var principal = ApiIo.Require(ApiIo.Query(http, "principal"), "principal");
            return ApiIo.Json(new PermissionResponse(await identity.GetPermissionAsync(type, id, principal, http.RequestAborted)));
        }).Produces<PermissionResponse>();

        permissions.MapGet("/list", async (HttpContext http) =>
        {
            var (type, id, principal) = (ApiIo.Query(http, "resource_type"), ApiIo.Query(http, "resource_id"), ApiIo.Query(http, "principal"));
            // Who holds what on one resource is for its managers; lists across resources are for admins.
            if (type is not null && id is not null) await ManagedAsync(http, type, id);
            else if (!Caller(http).IsAdmin)
                throw new CairnException(ErrorCodes.PermissionDenied, "Only an admin may list permissions across resources; name one resource (resource_type and resource_id) you manage.");
            return ApiIo.Json(new PermissionsResponse(await identity.ListPermissionsAsync(type, id, principal, http.RequestAborted)));
        }).Produces<PermissionsResponse>();

        permissions.MapDelete("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<PermissionRequest>(http);
            var (type, id) = await ManagedAsync(http, body.ResourceType, body.ResourceId);
            var deleted = await identity.DeletePermissionAsync(type, id, ApiIo.Require(body.Principal, "principal"), http.RequestAborted);
            return ApiIo.Json(new PermissionDeletedResponse(deleted));
        }).Produces<PermissionDeletedResponse>();
    }

    private static UserAccount Caller(HttpContext http) =>
        http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");

    private static void RequireSelfOrAdmin(HttpContext http, string username, string what)
    {
        var caller = Caller(http);
        if (!caller.IsAdmin && caller.Username != username) throw new CairnException(ErrorCodes.PermissionDenied, $"Only an admin may {what}.");
    }
}
