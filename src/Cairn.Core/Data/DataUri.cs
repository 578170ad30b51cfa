using System.Globalization;

namespace Cairn.Data;

/// <summary><c>data:/flights@3</c> (a version), <c>data:/flights@blake3:ab12...</c> (a digest) or <c>data:/flights</c> (the latest).</summary>
public sealed record DataUri(string Name, string? VersionOrDigest)
{
    public const string Scheme = "data:/";

    public static bool IsDataUri(string text) => text.StartsWith(Scheme, StringComparison.Ordinal);

    public static DataUri Parse(string uri)
    {
        if (!IsDataUri(uri))
            throw CairnException.InvalidParameter($"'{uri}' is not a dataset URI: expected data:/<name>@<version> (e.g. data:/flights@3) or data:/<name>@<digest>.");
        var rest = uri[Scheme.Length..].TrimStart('/');
        var at = rest.IndexOf('@');
        if (at < 0) return new DataUri(DatasetNames.Validate(rest), null);
        var selector = rest[(at + 1)..];
        if (selector.Length == 0)
            throw CairnException.InvalidParameter($"'{uri}' has nothing after '@': give a version number or a digest.");
        return new DataUri(DatasetNames.Validate(rest[..at]), selector);
    }

    /// <summary>Whether the selector is a version number rather than a digest.</summary>
    public bool IsVersionNumber => VersionOrDigest is { } s && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    public override string ToString() => VersionOrDigest is null ? Scheme + Name : $"{Scheme}{Name}@{VersionOrDigest}";
}

public static class DatasetNames
{
    public const string DigestPrefix = "blake3:";

    public static string Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter("A dataset name must be a non-empty string.");
        if (name.Length > 256)
            throw CairnException.InvalidParameter($"Dataset name is {name.Length} characters long; the limit is 256.");
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw CairnException.InvalidParameter($"Invalid dataset name '{name}': use letters, digits, '_', '-' and '.'.");
        return name;
    }

    /// <summary>Accepts <c>blake3:&lt;hex&gt;</c> or bare hex; returns the canonical <c>blake3:&lt;lowercase hex&gt;</c>.</summary>
    public static string NormalizeDigest(string digest, bool allowPrefix = false)
    {
        var hex = digest.StartsWith(DigestPrefix, StringComparison.OrdinalIgnoreCase) ? digest[DigestPrefix.Length..] : digest;
        var valid = hex.All(char.IsAsciiHexDigit) && (hex.Length == 64 || (allowPrefix && hex.Length is >= 8 and < 64));
        if (!valid)
            throw CairnException.InvalidParameter($"'{digest}' is not a dataset digest: expected blake3:<64 hex digits>{(allowPrefix ? " or a prefix of at least 8" : "")}.");
        return DigestPrefix + hex.ToLowerInvariant();
    }
}
