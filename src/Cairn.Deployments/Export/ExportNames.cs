using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Deployments.Export;

/// <summary>
/// Names each provider accepts, made from endpoint and variant names that allow more ('_', '.',
/// upper case, any length). A name that already fits is kept; one that had to change keeps a
/// readable prefix and ends with a hash of the original, so two different inputs never meet on one name.
/// </summary>
public static partial class ExportNames
{
    /// <summary>A DNS-1035 label (Kubernetes Service names; also valid DNS-1123): lowercase letters, digits, '-', a letter first.</summary>
    public static string Dns(string text, int maxLength = 63) =>
        Fit(text, maxLength, lowercase: true, letterFirst: true, allowed: c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c), check: DnsLabel());

    /// <summary>SageMaker model, endpoint, config and variant names: <c>^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}</c>.</summary>
    public static string SageMaker(string text) =>
        Fit(text, 63, lowercase: false, letterFirst: false, allowed: char.IsAsciiLetterOrDigit, check: SageMakerName());

    /// <summary>Azure ML online endpoint and deployment names: 3 to 32 letters, digits and '-', a letter first, no '-' last.</summary>
    public static string Azure(string text) =>
        Fit(text, 32, lowercase: true, letterFirst: true, allowed: c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c), check: AzureName(), minLength: 3);

    /// <summary>Vertex AI model and endpoint IDs: up to 63 of [a-z0-9_-], a letter first.</summary>
    public static string Vertex(string text) =>
        Fit(text, 63, lowercase: true, letterFirst: true, allowed: c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c), check: VertexId());

    /// <summary>A label value: at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends.</summary>
    public static string LabelValue(string text)
    {
        if (LabelValuePattern().IsMatch(text)) return text;
        var cleaned = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        var suffix = Hash(text);
        var prefix = cleaned[..Math.Min(cleaned.Length, 63 - suffix.Length - 1)].Trim('-', '_', '.');
        return prefix.Length == 0 ? suffix : $"{prefix}-{suffix}";
    }

    /// <summary>An image tag (<c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>) from a model name and version.</summary>
    public static string ImageTag(string modelName, string version)
    {
        var text = $"{modelName}-{version}";
        if (ImageTagPattern().IsMatch(text)) return text;
        var cleaned = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray()).TrimStart('.', '-');
        var suffix = Hash(text);
        return $"{cleaned[..Math.Min(cleaned.Length, 128 - suffix.Length - 1)]}-{suffix}".TrimStart('-');
    }

    public static bool IsDns(string text) => DnsLabel().IsMatch(text);
    public static bool IsNamespace(string text) => NamespacePattern().IsMatch(text);
    public static bool IsSageMaker(string text) => SageMakerName().IsMatch(text);
    public static bool IsAzure(string text) => AzureName().IsMatch(text);

    private static string Fit(string text, int maxLength, bool lowercase, bool letterFirst, Func<char, bool> allowed, Regex check, int minLength = 1)
    {
        if (text.Length <= maxLength && text.Length >= minLength && check.IsMatch(text)) return text;
        var cleaned = new StringBuilder();
        foreach (var c in lowercase ? text.ToLowerInvariant() : text)
        {
            if (allowed(c)) cleaned.Append(c);
            else if (cleaned.Length > 0 && cleaned[^1] != '-') cleaned.Append('-');
        }
        var suffix = Hash(text);
        var prefix = cleaned.ToString();
        if (letterFirst && !(prefix.Length > 0 && char.IsAsciiLetter(prefix[0]))) prefix = "c-" + prefix;
        prefix = prefix[..Math.Min(prefix.Length, maxLength - suffix.Length - 1)].Trim('-');
        var name = prefix.Length == 0 ? suffix : $"{prefix}-{suffix}";
        // Every branch above ends in a name the pattern takes; this guards the invariant rather than the input.
        if (!check.IsMatch(name) || name.Length > maxLength)
            throw CairnException.InvalidParameter($"Cannot make a valid name from '{text}'; rename the endpoint or variant to letters, digits and '-'.");
        return name;
    }

    /// <summary>8 hex digits of the SHA-256 of the text.</summary>
    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespacePattern();

    [GeneratedRegex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")]
    private static partial Regex SageMakerName();

    [GeneratedRegex("^[a-zA-Z][-a-zA-Z0-9]{1,30}[a-zA-Z0-9]$")]
    private static partial Regex AzureName();

    [GeneratedRegex("^[a-z][-_a-z0-9]{0,62}$")]
    private static partial Regex VertexId();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValuePattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTagPattern();
}
