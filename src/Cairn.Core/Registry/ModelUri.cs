namespace Cairn.Registry;

/// <summary><c>models:/name/3</c> (a version) or <c>models:/name@alias</c> (whatever the alias points at).</summary>
public sealed record ModelUri(string Name, string? Version, string? Alias)
{
    public const string Scheme = "models:/";

    public static bool IsModelUri(string text) => text.StartsWith(Scheme, StringComparison.Ordinal);

    public static ModelUri Parse(string uri)
    {
        if (!IsModelUri(uri))
            throw CairnException.InvalidParameter($"'{uri}' is not a model URI: expected models:/<name>/<version> or models:/<name>@<alias>.");
        var rest = uri[Scheme.Length..].TrimStart('/');
        var at = rest.LastIndexOf('@');
        if (at > 0)
        {
            var alias = rest[(at + 1)..];
            RegistryNames.ValidateAlias(alias);
            return new ModelUri(RegistryNames.ValidateModelName(rest[..at]), null, alias);
        }
        var slash = rest.LastIndexOf('/');
        if (slash <= 0 || !long.TryParse(rest[(slash + 1)..], out var version) || version < 1)
            throw CairnException.InvalidParameter($"'{uri}' names no version or alias: use models:/<name>/<version> (e.g. models:/delay/3) or models:/<name>@<alias> (e.g. models:/delay@champion).");
        return new ModelUri(RegistryNames.ValidateModelName(rest[..slash]), version.ToString(), null);
    }

    public override string ToString() => Alias is not null ? $"{Scheme}{Name}@{Alias}" : $"{Scheme}{Name}/{Version}";
}

public static class RegistryNames
{
    public static string ValidateModelName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter("A registered model name must be a non-empty string.");
        if (name.Length > 256)
            throw CairnException.InvalidParameter($"Registered model name is {name.Length} characters long; the limit is 256.");
        if (name.Any(char.IsControl) || name.Contains('@') || name.Contains(':'))
            throw CairnException.InvalidParameter($"Invalid registered model name '{name}': it must not contain control characters, '@' or ':'.");
        return name;
    }

    /// <summary>Aliases as MLflow allows them: letters, digits, '_' and '-', not a version-like "v3" or "latest".</summary>
    public static string ValidateAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias) || alias.Length > 255 || !alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw CairnException.InvalidParameter($"Invalid alias '{alias}': use 1 to 255 letters, digits, '_' or '-'.");
        if (alias.Equals("latest", StringComparison.OrdinalIgnoreCase) ||
            (alias.Length > 1 && alias[0] is 'v' or 'V' && alias[1..].All(char.IsAsciiDigit)))
            throw CairnException.InvalidParameter($"Invalid alias '{alias}': 'latest' and version-like names such as 'v3' are reserved.");
        return alias;
    }

    public static long ParseVersion(string? version)
    {
        if (!long.TryParse(version, out var v) || v < 1)
            throw CairnException.InvalidParameter($"Invalid model version '{version}': versions are positive integers.");
        return v;
    }
}
