using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Names that Kubernetes and Argo accept, made from pipeline and step names that may hold anything.
/// Each name keeps a readable prefix and, where the text had to change, a hash of the original, so
/// two different inputs never end on the same name.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>DNS-1123 label length; also the longest Job name, since Kubernetes copies it into a Pod label.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Argo's limit for template and task names.</summary>
    public const int MaxArgoFieldLength = 128;

    /// <summary>Pipeline, step and run names beyond this are refused before anything is built.</summary>
    public const int MaxInputLength = 253;

    /// <summary>
    /// The Job's name: <c>{pipeline}-{step}</c> made DNS-safe and cut to fit, then a hash of pipeline,
    /// step and run. The hash is always there: Jobs of every run share a namespace, and a 32-hex run ID
    /// spelled out would leave no room for the readable part.
    /// </summary>
    public static string JobName(string pipelineName, string runId, string stepName)
    {
        var suffix = Hash($"{pipelineName}\0{stepName}\0{runId}", 10);
        var prefix = Dns($"{pipelineName}-{stepName}", MaxLabelLength - suffix.Length - 1);
        return prefix.Length == 0 ? "cairn-" + suffix : $"{prefix}-{suffix}";
    }

    /// <summary>
    /// A label value (at most 63 characters of letters, digits, '-', '_' and '.', alphanumeric at both
    /// ends): the text itself when it already is one, otherwise a cleaned prefix and a hash of the text.
    /// </summary>
    public static string LabelValue(string text)
    {
        if (text.Length <= MaxLabelLength && IsLabelValue(text)) return text;
        var suffix = Hash(text, 8);
        var cleaned = new StringBuilder();
        foreach (var c in text)
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        var prefix = TrimToAlphanumeric(cleaned.ToString(), MaxLabelLength - suffix.Length - 1);
        return prefix.Length == 0 ? suffix : $"{prefix}-{suffix}";
    }

    /// <summary>
    /// A name Argo accepts for a template or a DAG task (letters, digits and '-', starting with a
    /// letter, since task names that others depend on may not start with a digit).
    /// </summary>
    public static string ArgoName(string text)
    {
        if (text.Length <= MaxArgoFieldLength && IsArgoName(text)) return text;
        var suffix = Hash(text, 8);
        var cleaned = new StringBuilder();
        foreach (var c in text) cleaned.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        var prefix = TrimToAlphanumeric(cleaned.ToString(), MaxArgoFieldLength - suffix.Length - 3);
        if (prefix.Length == 0) return "s-" + suffix;
        if (!char.IsAsciiLetter(prefix[0])) prefix = "s-" + prefix;
        return $"{prefix}-{suffix}";
    }

    /// <summary>
    /// <c>metadata.generateName</c> for a Workflow: DNS-safe and short enough that the five
    /// characters the API server appends keep the name within 63. The server makes it unique.
    /// </summary>
    public static string GenerateName(string pipelineName)
    {
        var prefix = Dns(pipelineName, MaxLabelLength - 5 - 1);
        return (prefix.Length == 0 ? "cairn" : prefix) + "-";
    }

    /// <summary>Whether <paramref name="text"/> is a DNS-1123 label: what Kubernetes wants for Job names and namespaces.</summary>
    public static bool IsDnsLabel([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? text) => text is not null && DnsLabel().IsMatch(text);

    /// <summary>Throws a one-line error unless <paramref name="value"/> is usable as a name here.</summary>
    public static void Require(string what, string? value)
    {
        if (string.IsNullOrEmpty(value)) throw CairnException.InvalidParameter($"The {what} is empty.");
        if (value.Length > MaxInputLength)
            throw CairnException.InvalidParameter($"The {what} is {value.Length} characters long; at most {MaxInputLength} are allowed.");
        if (value.Any(char.IsControl))
            throw CairnException.InvalidParameter($"The {what} '{Printable(value)}' contains a control character.");
    }

    /// <summary>The text with control characters shown as \uXXXX, for error messages.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Length > 80 ? text[..80] + "..." : text)
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return builder.ToString();
    }

    /// <summary>Lowercase letters, digits and single '-', alphanumeric at both ends, at most <paramref name="max"/> long.</summary>
    private static string Dns(string text, int max)
    {
        var cleaned = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            if (keep) cleaned.Append(c);
            else if (cleaned.Length > 0 && cleaned[^1] != '-') cleaned.Append('-');
        }
        return TrimToAlphanumeric(cleaned.ToString(), max);
    }

    private static string TrimToAlphanumeric(string text, int max)
    {
        if (text.Length > max) text = text[..max];
        return text.Trim('-', '_', '.');
    }

    private static bool IsLabelValue(string text) =>
        text.Length == 0 || (char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])
            && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));

    private static bool IsArgoName(string text) =>
        text.Length > 0 && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>The first <paramref name="length"/> hex digits of the SHA-256 of the UTF-8 text.</summary>
    private static string Hash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
