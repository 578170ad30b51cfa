namespace Cairn.Security;

/// <summary>What user names, group names, passwords and principals may be; checked by every store and command.</summary>
public static class IdentityRules
{
    /// <summary>The longest user or group name.</summary>
    public const int MaxNameLength = 64;
    /// <summary>The shortest password accepted (OWASP: at least 8 with multi-factor sign-in, 15 without; 12 is the floor here).</summary>
    public const int MinPasswordLength = 12;
    /// <summary>The longest password accepted (long enough for pass phrases, short enough to bound the hashing work).</summary>
    public const int MaxPasswordLength = 1024;

    /// <summary>Checks a user name: 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE saying what is allowed.</exception>
    public static string Username(string? name) => Name(name, "user name");

    /// <summary>Checks a group name, as a user name.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE saying what is allowed.</exception>
    public static string Group(string? name) => Name(name, "group name");

    /// <summary>Checks a new password's length (its text is never part of a message).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE giving the bounds.</exception>
    public static string Password(string? password) => password is { Length: >= MinPasswordLength and <= MaxPasswordLength }
        ? password
        : throw CairnException.InvalidParameter($"A password must have {MinPasswordLength} to {MaxPasswordLength} characters.");

    /// <summary>Checks <c>user:NAME</c> or <c>group:NAME</c>; returns the kind and the name.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for anything else.</exception>
    public static (string Kind, string Name) Principal(string? principal)
    {
        var colon = principal?.IndexOf(':') ?? -1;
        return (colon > 0 ? principal![..colon] : null) switch
        {
            "user" => ("user", Username(principal![(colon + 1)..])),
            "group" => ("group", Group(principal![(colon + 1)..])),
            _ => throw CairnException.InvalidParameter($"'{Shorten(principal)}' is not a principal: write user:NAME or group:NAME."),
        };
    }

    /// <summary>Checks a resource type.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the types.</exception>
    public static string ResourceType(string? type) => ResourceTypes.All.Contains(type)
        ? type!
        : throw CairnException.InvalidParameter($"'{Shorten(type)}' is not a resource type; use one of {string.Join(", ", ResourceTypes.All)}.");

    private static string Name(string? name, string what)
    {
        if (name is { Length: > 0 and <= MaxNameLength } && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            return name;
        throw CairnException.InvalidParameter(
            $"'{Shorten(name)}' is not a valid {what}: use 1 to {MaxNameLength} letters, digits, '.', '_', '-' or '@', starting with a letter or digit.");
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 40 ? text : text[..40] + "...";
}
