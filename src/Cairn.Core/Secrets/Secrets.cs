using System.Text.RegularExpressions;

namespace Cairn;

/// <summary>
/// Masks secrets in text before it reaches a log, an error message, a run tag or a page:
/// passwords in URIs, secret key=value pairs of connection and query strings, Cairn API tokens,
/// JWTs and Authorization header values. Every pattern runs on the non-backtracking engine, so
/// time stays linear in the input however hostile it is.
/// </summary>
public static class Secrets
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    // scheme://user:SECRET@ and scheme://:SECRET@ (a slash ends the search: a path follows, not a password).
    private static readonly Regex UriPassword = new(@"([a-z][a-z0-9+.\-]*://[^:/?#@\s]*:)[^@/\s]+@", Options);

    // Password=...; in connection strings, ?sig=...& in query strings, "api_key": "..." in JSON, AWS_SECRET_ACCESS_KEY=...
    private static readonly Regex SecretPair = new(
        @"([a-z0-9_\-.]*(password|passwd|pwd|secret|token|access_?key|secret_?key|api_?key|apikey|signature|sig|credential)""?\s*[=:]\s*[""']?)[^\s;&,""'<>]+",
        Options);

    // cairn_ + 43 base64url characters (ApiTokenSecrets); 40 leaves room for a cut-off copy.
    private static readonly Regex ApiToken = new(@"cairn_[a-z0-9_\-]{40,}", Options);

    // header.payload[.signature], each part base64url; headers of JWTs always start {" = eyJ.
    private static readonly Regex Jwt = new(@"eyJ[a-z0-9_\-]{4,}\.[a-z0-9_\-]{4,}(\.[a-z0-9_\-]*)?", Options);

    // Authorization: Bearer X / Basic X, and Bearer X on its own (a prose "bearer token" is too short to match).
    private static readonly Regex Authorization = new(@"(authorization\s*[:=]\s*(bearer|basic|token)\s+|bearer\s+)[a-z0-9._~+/\-]{12,}=*", Options);

    /// <summary>The text with every secret it carries replaced by <see cref="Mask"/>; null stays null. Never throws.</summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        try
        {
            var result = UriPassword.Replace(text, "$1" + Mask + "@");
            result = SecretPair.Replace(result, "$1" + Mask);
            result = ApiToken.Replace(result, Security.ApiTokenSecrets.Prefix + Mask);
            result = Jwt.Replace(result, Mask);
            return Authorization.Replace(result, "$1" + Mask);
        }
        catch (Exception)
        {
            // A redactor that fails must not let the secret through, nor take the caller down with it.
            return "(text withheld: it could not be checked for secrets)";
        }
    }

    /// <summary>
    /// A command line's arguments with secrets masked: the value after an option named like a secret
    /// (<c>--password</c>, <c>--token</c>, <c>--secret</c>, <c>--api-key</c>, any <c>--*-key</c>; also the
    /// <c>--opt=value</c> form) and whatever <see cref="Redact"/> finds in any argument. A bare <c>--key</c>
    /// names a key file in Cairn (<c>cairn models sign --key key.pem</c>) and stays visible.
    /// </summary>
    public static IReadOnlyList<string> RedactArguments(IReadOnlyList<string> argv)
    {
        var result = new string[argv.Count];
        for (var i = 0; i < argv.Count; i++)
        {
            var arg = argv[i] ?? "";
            var equals = arg.IndexOf('=');
            if (arg.StartsWith('-') && equals > 0 && IsSecretOption(arg[..equals]))
                result[i] = arg[..(equals + 1)] + Mask;
            else if (arg.StartsWith('-') && equals < 0 && IsSecretOption(arg) && i + 1 < argv.Count)
            {
                result[i] = arg;
                result[++i] = Mask;
            }
            else result[i] = Redact(arg) ?? "";
        }
        return result;
    }

    /// <summary>True for option names whose value is a secret: <c>--password</c>, <c>--db-token</c>, <c>--aws-secret-key</c>, not <c>--key</c>.</summary>
    public static bool IsSecretOption(string option)
    {
        var name = option.TrimStart('-').ToLowerInvariant().Replace('_', '-');
        if (name.Length == 0 || name == "key") return false;
        return name.EndsWith("password", StringComparison.Ordinal) || name.EndsWith("passwd", StringComparison.Ordinal)
            || name.EndsWith("token", StringComparison.Ordinal) || name.EndsWith("secret", StringComparison.Ordinal)
            || name.EndsWith("-key", StringComparison.Ordinal) || name.EndsWith("apikey", StringComparison.Ordinal);
    }
}
