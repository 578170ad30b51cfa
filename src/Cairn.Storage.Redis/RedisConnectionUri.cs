using System.Globalization;
using StackExchange.Redis;

namespace Cairn.Storage.Redis;

/// <summary>
/// Reads <c>redis://[user:password@]host[:port][/db]</c> (or <c>rediss://</c> for TLS), the form
/// <c>online_store:</c> takes, into StackExchange.Redis options. Anything else is refused with a
/// message that shows the expected form, before any connection is tried.
/// </summary>
public static class RedisConnectionUri
{
    private const string Form = "write redis://host:port/db, such as redis://localhost:6379/0 (rediss:// for TLS, user:password@ before the host if needed)";

    /// <summary>The options for <paramref name="uri"/>; port 6379 and database 0 when not given.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE saying what is wrong.</exception>
    public static ConfigurationOptions Parse(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri)) throw Invalid(uri, "it is empty");
        if (!Uri.TryCreate(uri.Trim(), UriKind.Absolute, out var parsed)) throw Invalid(uri, "it is not a valid URI (check the host and that the port is 1-65535)");
        if (parsed.Scheme is not ("redis" or "rediss")) throw Invalid(uri, $"the scheme '{parsed.Scheme}' is not redis or rediss");
        if (string.IsNullOrEmpty(parsed.Host)) throw Invalid(uri, "it has no host");
        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0) throw Invalid(uri, "query options and fragments are not supported");
        var port = parsed.IsDefaultPort || parsed.Port < 0 ? 6379 : parsed.Port;
        if (port is < 1 or > 65535) throw Invalid(uri, "the port must be 1-65535");

        var path = parsed.AbsolutePath.Trim('/');
        var database = 0;
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 10_000))
            throw Invalid(uri, $"'/{path}' is not a database number (0, 1, 2...)");

        var options = new ConfigurationOptions
        {
            DefaultDatabase = database,
            Ssl = parsed.Scheme == "rediss",
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            ClientName = "cairn",
        };
        options.EndPoints.Add(parsed.IdnHost, port);
        if (parsed.UserInfo.Length > 0)
        {
            var colon = parsed.UserInfo.IndexOf(':');
            var user = Uri.UnescapeDataString(colon < 0 ? parsed.UserInfo : parsed.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(parsed.UserInfo[(colon + 1)..]);
            if (password is null) options.Password = user; // redis://secret@host: a password alone, as redis-cli reads it
            else
            {
                if (user.Length > 0) options.User = user;
                options.Password = password;
            }
        }
        return options;
    }

    private static CairnException Invalid(string? uri, string why) =>
        CairnException.InvalidParameter($"The Redis online store URI '{Redact(uri)}' is not valid: {why}; {Form}.");

    // The message may reach a log: never repeat a password.
    private static string? Redact(string? uri)
    {
        if (uri is null) return null;
        var at = uri.IndexOf('@');
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme >= 0 && at > scheme ? uri[..(scheme + 3)] + "***" + uri[at..] : uri;
    }
}
