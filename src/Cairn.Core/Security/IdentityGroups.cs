namespace Cairn.Security;

/// <summary>A group and its members, by name. A group exists while it has members, so groups are read off the users.</summary>
public sealed record GroupMembers(string Name, IReadOnlyList<string> Members);

/// <summary>Groups as the users of an <see cref="IIdentityStore"/> list them.</summary>
public static class IdentityGroups
{
    /// <summary>Every group of <paramref name="users"/> (or only <paramref name="group"/>), by name, members by name.</summary>
    public static IReadOnlyList<GroupMembers> Of(IEnumerable<UserAccount> users, string? group = null) =>
        [.. users.SelectMany(u => u.Groups.Select(g => (Group: g, u.Username)))
            .Where(m => group is null || m.Group == group)
            .GroupBy(m => m.Group, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new GroupMembers(g.Key, [.. g.Select(m => m.Username).Order(StringComparer.Ordinal)]))];
}
