using System.Text;
using Cairn.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>
/// Finds who is calling from the Authorization header and refuses anyone else with 401 (MLflow's
/// <c>UNAUTHENTICATED</c>) and a basic-auth challenge. The caller is then <see cref="Callers.Caller"/>.
/// </summary>
public static class AuthenticationMiddleware
{
    /// <summary>The error code of a request without valid credentials.</summary>
    public const string Unauthenticated = "UNAUTHENTICATED";
    private static readonly PathString[] Probes = ["/health", "/version"];

    /// <summary>Adds sign-in to the pipeline; nothing when <paramref name="authentication"/> is null (auth off).</summary>
    public static IApplicationBuilder UseCairnAuthentication(this IApplicationBuilder app, ServerAuthentication? authentication, TimeProvider time)
    {
        if (authentication is null) return app;
        var cache = new CredentialCache(time, authentication.CredentialCacheTime);
        return app.Use(async (http, next) =>
        {
            http.Items[typeof(CredentialCache)] = cache;
            if (Probes.Contains(http.Request.Path))
            {
                await next(http);
                return;
            }
            var (user, refusal) = await AuthenticateAsync(http, authentication, cache);
            if (refusal is not null)
            {
                await ErrorHandling.Write(http, StatusCodes.Status401Unauthorized, Unauthenticated, $"Your bearer token was refused: {refusal}.",
                    [("WWW-Authenticate", "Bearer realm=\"cairn\", error=\"invalid_token\"")]);
                return;
            }
            if (user is null)
            {
                await ErrorHandling.Write(http, StatusCodes.Status401Unauthorized, Unauthenticated,
                    "You are not signed in: send HTTP basic credentials (MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD) or a bearer API token (MLFLOW_TRACKING_TOKEN or CAIRN_TRACKING_TOKEN).",
                    [("WWW-Authenticate", "Basic realm=\"cairn\", charset=\"UTF-8\"")]);
                return;
            }
            http.Items[typeof(UserAccount)] = user;
            await next(http);
        });
    }

    /// <summary>The caller; or null, with why when a JWT was refused (its reason is safe to show).</summary>
    private static async Task<(UserAccount? User, string? Refusal)> AuthenticateAsync(HttpContext http, ServerAuthentication authentication, CredentialCache cache)
    {
        var header = http.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        if (space <= 0 || header.Length > 4096) return (null, null);
        var (scheme, credential) = (header[..space], header[(space + 1)..].Trim());
        var key = cache.Key(scheme.ToLowerInvariant(), credential);
        if (cache.Get(key) is { } known) return (known, null);
        UserAccount? user = null;
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && authentication.Oidc is { } oidc && JwtAuthenticator.LooksLikeJwt(credential))
        {
            var signIn = await oidc.AuthenticateAsync(credential, http.RequestAborted);
            if (signIn.User is null) return (null, signIn.Refusal);
            // Remembered no longer than the token lives, so an expired JWT is never let in from memory.
            cache.Add(key, signIn.User, signIn.ExpiresAt);
            return (signIn.User, null);
        }
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            user = await authentication.Accounts.AuthenticateTokenAsync(credential, http.RequestAborted);
        else if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Basic(credential) is var (username, password))
            user = await authentication.Accounts.SignInAsync(username, password, http.RequestAborted);
        if (user is not null) cache.Add(key, user);
        return (user, null);
    }

    /// <summary>User and password of a basic credential; null when it is not base64 of <c>user:password</c>.</summary>
    private static (string User, string Password)? Basic(string credential)
    {
        var bytes = new byte[credential.Length];
        if (!Convert.TryFromBase64String(credential, bytes, out var length)) return null;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var colon = text.IndexOf(':');
        return colon > 0 ? (text[..colon], text[(colon + 1)..]) : null;
    }
}

/// <summary>The signed-in caller of a request.</summary>
public static class Callers
{
    /// <summary>The user who sent the request; null when the server runs without --auth.</summary>
    public static UserAccount? Caller(this HttpContext http) => http.Items.TryGetValue(typeof(UserAccount), out var user) ? user as UserAccount : null;

    /// <summary>Forgets the remembered credentials of a user whose password or rights changed.</summary>
    internal static void ForgetCredentials(this HttpContext http, string username) =>
        (http.Items.TryGetValue(typeof(CredentialCache), out var cache) ? cache as CredentialCache : null)?.Forget(username);
}
