namespace Cairn.Deployments;

/// <summary>What an endpoint event must look like before a store records it (same checks embedded and over REST).</summary>
public static class EndpointChangeRules
{
    public const int MaxActorLength = 250;
    public const int MaxKindLength = 64;
    public const int MaxMessageLength = 5000;
    public const int MaxEventsPerCall = 10_000;

    /// <summary>A user name, or <c>cairn</c> for the server's own work.</summary>
    public static string Actor(string? actor) =>
        string.IsNullOrWhiteSpace(actor) || actor.Length > MaxActorLength
            ? throw CairnException.InvalidParameter($"An actor is required (who made the change, 1 to {MaxActorLength} characters, such as a user name or cairn).")
            : actor;

    /// <summary>Lower-case letters, digits and '_' (see <see cref="EndpointEventKinds"/>); a message up to <see cref="MaxMessageLength"/> characters.</summary>
    public static EndpointChange Change(EndpointChange? change)
    {
        if (change is null) throw CairnException.InvalidParameter("A change (kind, message, actor) is required.");
        if (string.IsNullOrEmpty(change.Kind) || change.Kind.Length > MaxKindLength || !change.Kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw CairnException.InvalidParameter($"Invalid event kind '{change.Kind}': use lower-case letters, digits and '_' (such as {EndpointEventKinds.WeightsChanged}), at most {MaxKindLength} characters.");
        if (change.Message is null) throw CairnException.InvalidParameter("A change needs a message saying what changed (it may be empty).");
        if (change.Message.Length > MaxMessageLength)
            throw CairnException.InvalidParameter($"The event message is {change.Message.Length} characters long; the limit is {MaxMessageLength}.");
        Actor(change.Actor);
        return change;
    }
}
