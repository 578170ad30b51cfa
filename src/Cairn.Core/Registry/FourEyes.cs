namespace Cairn.Registry;

/// <summary>
/// The four-eyes rule for protected aliases, read from a model's audit trail (oldest first): a
/// request is approved by someone other than its requester before the alias may move, and each
/// approval moves the alias once. Gate records are not consulted: a client writes them, so a
/// server cannot trust them.
/// </summary>
public static class FourEyes
{
    /// <summary>The aliases a server with sign-in protects unless told otherwise.</summary>
    public static readonly IReadOnlyList<string> DefaultProtectedAliases = ["champion", "production"];

    /// <summary>A comma-separated list of aliases (<c>--protected-aliases champion,production</c>); "none" or "" protects none.</summary>
    /// <exception cref="CairnException">An entry is not a valid alias.</exception>
    public static IReadOnlyList<string> ParseAliases(string list) =>
        list.Trim() is "" or "none" ? [] : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(RegistryNames.ValidateAlias).Distinct().ToList();

    /// <summary>The latest request to move <paramref name="alias"/> to <paramref name="version"/>; null when none was made.</summary>
    public static ModelTransition? LatestRequest(IReadOnlyList<ModelTransition> history, string version, string alias) =>
        history.LastOrDefault(t => t.Action == TransitionAction.Requested && t.Version == version && t.Alias == alias);

    /// <summary>Why <paramref name="approver"/> may not approve or reject the latest request; null when they may.</summary>
    public static string? WhyNotDecide(IReadOnlyList<ModelTransition> history, string name, string version, string alias, string approver)
    {
        if (LatestRequest(history, version, alias) is not { } request)
            return $"There is no request to move '{alias}' of {name} to version {version}: request it first with 'cairn models promote'.";
        if (string.Equals(request.Actor, approver, StringComparison.Ordinal))
            return $"'{alias}' is a protected alias: the promotion of {name} version {version} was requested by you ({approver}), so another user must approve or reject it (four eyes).";
        return StaleSince(history, request, name, alias);
    }

    /// <summary>Why <paramref name="alias"/> may not move to (or, for a removal, away from) <paramref name="version"/> now; null when an unused approval allows it.</summary>
    public static string? WhyNotMove(IReadOnlyList<ModelTransition> history, string name, string version, string alias)
    {
        if (LatestRequest(history, version, alias) is not { } request)
            return $"'{alias}' is a protected alias: moving it needs a request (cairn models promote {name} --version {version} --to {alias}) approved by another user.";
        if (StaleSince(history, request, name, alias) is { } stale) return stale;
        var decision = After(history, request).LastOrDefault(t => t.Version == version && t.Alias == alias && t.Action is TransitionAction.Approved or TransitionAction.Rejected);
        if (decision is null)
            return $"'{alias}' is a protected alias: the request by {request.Actor} to move it to version {version} of {name} is waiting for approval by another user (cairn models approve).";
        if (decision.Action == TransitionAction.Rejected)
            return $"'{alias}' is a protected alias: {decision.Actor} rejected the request to move it to version {version} of {name}; request it again.";
        if (string.Equals(decision.Actor, request.Actor, StringComparison.Ordinal))
            return $"'{alias}' is a protected alias: the request by {request.Actor} was approved by the same user; another user must approve it (four eyes).";
        return null;
    }

    /// <summary>The alias moved or was removed after the request: the request is used (or stale) and must be made again.</summary>
    private static string? StaleSince(IReadOnlyList<ModelTransition> history, ModelTransition request, string name, string alias)
    {
        var moved = After(history, request).LastOrDefault(t => t.Alias == alias && t.Action is TransitionAction.AliasMoved or TransitionAction.AliasDeleted);
        if (moved is null) return null;
        var what = moved.Action == TransitionAction.AliasDeleted ? "been removed" : $"moved to version {moved.Version}";
        return $"'{alias}' of {name} has {what} since version {request.Version} was requested: request the promotion again.";
    }

    private static IEnumerable<ModelTransition> After(IReadOnlyList<ModelTransition> history, ModelTransition request)
    {
        var at = -1;
        for (var i = 0; i < history.Count; i++) if (ReferenceEquals(history[i], request)) at = i;
        return history.Skip(at + 1);
    }
}
