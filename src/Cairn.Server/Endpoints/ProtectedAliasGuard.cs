using Cairn.Registry;
using Cairn.Security;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>
/// The registry's own rights on a server with --auth: the audit trail's actor is the signed-in
/// caller, and a protected alias moves only on a request approved by another user (see
/// <see cref="FourEyes"/>). Null on a server without sign-in, where there is nobody to tell apart.
/// </summary>
internal sealed class ProtectedAliasGuard(IRegistryStore registry, IEnumerable<string> aliases, TimeProvider time)
{
    private readonly HashSet<string> _aliases = aliases.ToHashSet(StringComparer.Ordinal);

    public bool Protects(string alias) => _aliases.Contains(alias);

    /// <summary>
    /// The record to store for a posted transition: the caller as its actor and the server's clock as
    /// its time, whatever the client sent (so nobody writes in another's name or reorders the trail);
    /// null for a move or removal of a protected alias, which the server records itself.
    /// </summary>
    public async Task<ModelTransition?> AdmitAsync(HttpContext http, ModelTransition posted)
    {
        var caller = Caller(http);
        var transition = posted with { Actor = caller.Username, Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds() };
        if (!Protects(transition.Alias)) return transition;
        switch (transition.Action)
        {
            case TransitionAction.AliasMoved or TransitionAction.AliasDeleted:
                return null;
            case TransitionAction.Approved or TransitionAction.Rejected:
                var verb = transition.Action == TransitionAction.Approved ? "Approving" : "Rejecting";
                if (!caller.IsAdmin && await PermissionAsync(http, caller, transition.Name) is var permission && !permission.CanManage())
                    throw Denied($"{verb} a promotion to the protected alias '{transition.Alias}' needs MANAGE on registered model '{transition.Name}'; you have {permission.Name()}.");
                var history = await registry.ListTransitionsAsync(transition.Name, null, http.RequestAborted);
                if (FourEyes.WhyNotDecide(history, transition.Name, transition.Version, transition.Alias, caller.Username) is { } why) throw Denied(why);
                break;
        }
        return transition;
    }

    /// <summary>Refuses to move (or remove) a protected alias without an unused approval of a request for that version; records the move when allowed.</summary>
    public async Task MoveAsync(HttpContext http, string name, string alias, string version, bool removal, Func<Task> move)
    {
        var history = await registry.ListTransitionsAsync(name, null, http.RequestAborted);
        if (FourEyes.WhyNotMove(history, name, version, alias) is { } why)
            throw Denied(removal ? why + $" Removing it needs an approved request naming the version it points at ({version})." : why);
        var request = FourEyes.LatestRequest(history, version, alias)!;
        var approval = history.Last(t => t.Version == version && t.Alias == alias && t.Action == TransitionAction.Approved);
        await move();
        await registry.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, version, alias,
            removal ? TransitionAction.AliasDeleted : TransitionAction.AliasMoved, Caller(http).Username, time.GetUtcNow().ToUnixTimeMilliseconds(),
            $"requested by {request.Actor}, approved by {approval.Actor}", null, null), http.RequestAborted);
    }

    private static UserAccount Caller(HttpContext http) =>
        http.Caller() ?? throw new CairnException(AuthenticationMiddleware.Unauthenticated, "You are not signed in.");

    private static async Task<Permission> PermissionAsync(HttpContext http, UserAccount caller, string name) =>
        http.Items.TryGetValue(typeof(ServerAuthorization), out var found) && found is ServerAuthorization authorization
            ? await authorization.Resolver.ResolveAsync(caller, ResourceTypes.RegisteredModel, name, http.RequestAborted)
            : Permission.NoPermissions;

    private static CairnException Denied(string why) => new(ErrorCodes.PermissionDenied, "Permission denied. " + why);
}
