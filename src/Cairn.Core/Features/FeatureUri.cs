using System.Globalization;

namespace Cairn.Features;

/// <summary><c>features:/airport_delays@2</c> (a version of a feature view) or <c>features:/airport_delays</c> (its latest version).</summary>
public sealed record FeatureUri(string Name, int? Version)
{
    /// <summary>The scheme every feature view URI starts with.</summary>
    public const string Scheme = "features:/";

    /// <summary>Whether <paramref name="text"/> starts with <see cref="Scheme"/>.</summary>
    public static bool IsFeatureUri(string? text) => text?.StartsWith(Scheme, StringComparison.Ordinal) == true;

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the text is not <c>features:/name</c> or <c>features:/name@N</c> with N ≥ 1.</exception>
    public static FeatureUri Parse(string? text)
    {
        if (!IsFeatureUri(text))
            throw CairnException.InvalidParameter($"'{text}' is not a feature view URI: write features:/<view>@<version> (such as features:/airport_delays@2) or features:/<view> for the latest.");
        var rest = text![Scheme.Length..];
        var at = rest.IndexOf('@');
        if (at < 0) return new FeatureUri(FeatureRepositoryRules.Name(rest, "a feature view"), null);
        var version = rest[(at + 1)..];
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            throw CairnException.InvalidParameter($"'{text}' has '{version}' after '@': give a version number from 1, such as {Scheme}{rest[..at]}@1.");
        return new FeatureUri(FeatureRepositoryRules.Name(rest[..at], "a feature view"), number);
    }

    /// <summary><c>features:/name@N</c>, or <c>features:/name</c> without a version.</summary>
    public override string ToString() => Version is { } v ? $"{Scheme}{Name}@{v}" : Scheme + Name;
}
