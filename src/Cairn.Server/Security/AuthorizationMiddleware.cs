using Cairn.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>
/// Checks each request against its endpoint's <see cref="AccessRule"/> once the caller is known:
/// 403 <c>PERMISSION_DENIED</c> naming what is missing, as MLflow's auth answers. Admins pass every
/// check. Endpoints without a rule are for admins, so a new endpoint is closed until someone decides.
/// </summary>
public static class AuthorizationMiddleware
{
    /// <summary>Adds the checks after routing; nothing when <paramref name="authentication"/> is null (auth off).</summary>
    public static IApplicationBuilder UseCairnAuthorization(this IApplicationBuilder app, ServerAuthentication? authentication,
        ITrackingStore tracking, ILoggedModelStore? loggedModels, Cairn.Registry.IRegistryStore registry)
    {
        if (authentication is null) return app;
        var authorization = new ServerAuthorization(authentication, new ResourceOwners(tracking, loggedModels, registry));
        return app.Use(async (http, next) =>
        {
            http.Items[typeof(ServerAuthorization)] = authorization;
            var rule = http.GetEndpoint()?.Metadata.GetMetadata<AccessRule>();
            if (rule is not AnyoneRule)
            {
                var caller = http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");
                if (!caller.IsAdmin) await authorization.CheckAsync(http, caller, rule);
            }
            await next(http);
        });
    }
}

/// <summary>The checks of one server: its permissions, its default and where resources belong.</summary>
internal sealed class ServerAuthorization(ServerAuthentication authentication, ResourceOwners owners)
{
    public PermissionResolver Resolver { get; } = new(authentication.Identity, authentication.DefaultPermission);

    public IIdentityStore Identity => authentication.Identity;

    public async Task CheckAsync(HttpContext http, UserAccount caller, AccessRule? rule)
    {
        switch (rule)
        {
            case SignedInRule:
                return;
            case null:
                throw Denied(http.GetEndpoint() is null ? "This address is for admins." : "This endpoint is for admins.");
            case AdminRule:
                throw Denied("Only an admin may do this.");
            case ServerRule server:
                var need = server.Need ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? Need.Read : Need.Update);
                if (!Allows(authentication.DefaultPermission, need))
                    throw Denied($"This needs {Describe(need)} on the server's shared resources, which the server's default permission ({authentication.DefaultPermission.Name()}) does not give: ask an admin.");
                return;
        }
        var fields = new RequestFields(http);
        if (rule.ReadsField is { } field && fields.NeedsBody(field)) await fields.LoadBodyAsync();
        foreach (var resource in await rule.ResourcesAsync(fields, owners, http.RequestAborted))
        {
            var permission = resource.Type == ResourceOwners.Server
                ? authentication.DefaultPermission
                : await Resolver.ResolveAsync(caller, resource.Type, resource.Id, http.RequestAborted);
            if (!Allows(permission, resource.Need))
                throw Denied(resource.Type == ResourceOwners.Server
                    ? $"This path is outside every experiment's artifact folder: it needs {Describe(resource.Need)} on the server's shared resources, which the default permission ({authentication.DefaultPermission.Name()}) does not give."
                    : $"This needs {Describe(resource.Need)} on {resource.Type.Replace('_', ' ')} '{resource.Id}'; you have {permission.Name()}.");
        }
    }

    private static bool Allows(Permission permission, Need need) => need switch
    {
        Need.Read => permission.CanRead(),
        Need.Update => permission.CanUpdate(),
        _ => permission.CanManage(),
    };

    private static string Describe(Need need) => need switch
    {
        Need.Read => "READ",
        Need.Update => "EDIT",
        _ => "MANAGE",
    };

    private static CairnException Denied(string why) => new(ErrorCodes.PermissionDenied, "Permission denied. " + why);
}
