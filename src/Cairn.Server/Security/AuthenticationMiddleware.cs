using System.Text;
using Cairn.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>The error code of a sign-in refused for too many failures.</summary>
    public const string TooManyRequests = "TOO_MANY_REQUESTS";

    /// <summary>Adds sign-in to the pipeline; nothing when <paramref name="authentication"/> is null (auth off).</summary>
    public static IApplicationBuilder UseCairnAuthentication(this IApplicationBuilder app, ServerAuthentication? authentication, TimeProvider time)
    {
        if (authentication is null) return app;
        var signIn = app.ApplicationServices.GetRequiredService<ServerSignIn>();
        var cache = signIn.Cache;
        return app.Use(async (http, next) =>
        {
            http.Items[typeof(CredentialCache)] = cache;
            if (Probes.Contains(http.Request.Path))
            {
                await next(http);
                return;
            }
            var (user, refusal) = await AuthenticateAsync(http, signIn);
            if (refusal is { RetryAfter: { } wait })
            {
                await ErrorHandling.Write(http, StatusCodes.Status429TooManyRequests, TooManyRequests, TooManyFailures(wait),
                    [("Retry-After", RetryAfterSeconds(wait))]);
                return;
            }
            if (refusal is not null)
            {
                await ErrorHandling.Write(http, StatusCodes.Status401Unauthorized, Unauthenticated, $"Your bearer token was refused: {refusal.Why}.",
                    [("WWW-Authenticate", "Bearer realm=\"cairn\", error=\"invalid_token\"")]);
                return;
            }
            if (user is null && UiPaths.IsOpen(http.Request.Path))
            {
                await next(http);
                return;
            }
            if (user is null && UiPaths.WantsPage(http.Request))
            {
                http.Response.Redirect(UiPaths.SignInAddress(http.Request));
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

    /// <summary>The message of a sign-in refused by the throttle.</summary>
    public static string TooManyFailures(TimeSpan wait) =>
        $"Too many failed sign-ins for this user or from this address: try again in {RetryAfterSeconds(wait)} seconds.";

    private static string RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Why credentials were refused: a JWT's reason (safe to show), or the throttle's wait.</summary>
    private sealed record Refusal(string? Why, TimeSpan? RetryAfter);

    /// <summary>The caller from the Authorization header, else (for the web UI's paths only) the session cookie.</summary>
    private static async Task<(UserAccount? User, Refusal? Refusal)> AuthenticateAsync(HttpContext http, ServerSignIn signIn)
    {
        if (http.Request.Headers.Authorization.Count > 0) return await FromHeaderAsync(http, signIn);
        if (!UiPaths.IsUiPath(http.Request.Path) || SessionCookies.Value(http) is not { } cookie) return (null, null);
        var key = signIn.Cache.Key("session", cookie);
        if (signIn.Cache.Get(key) is { } known) return (known, null);
        if (signIn.Cookies.Read(cookie) is not var (username, expires)) return (null, null);
        try
        {
            // Read afresh, so that a deleted user or a changed admin flag takes effect.
            var user = await signIn.Identity.GetUserAsync(username, http.RequestAborted);
            signIn.Cache.Add(key, user, expires);
            return (user, null);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return (null, null);
        }
    }

    /// <summary>The caller; or null, with why when a JWT was refused or the throttle holds the user or address back.</summary>
    private static async Task<(UserAccount? User, Refusal? Refusal)> FromHeaderAsync(HttpContext http, ServerSignIn signIn)
    {
        var (authentication, cache) = (signIn.Authentication, signIn.Cache);
        var header = http.Request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ');
        if (space <= 0 || header.Length > 4096) return (null, null);
        var (scheme, credential) = (header[..space], header[(space + 1)..].Trim());
        var key = cache.Key(scheme.ToLowerInvariant(), credential);
        if (cache.Get(key) is { } known) return (known, null);
        UserAccount? user = null;
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && authentication.Oidc is { } oidc && JwtAuthenticator.LooksLikeJwt(credential))
        {
            var jwt = await oidc.AuthenticateAsync(credential, http.RequestAborted);
            if (jwt.User is null) return (null, new(jwt.Refusal, null));
            // Remembered no longer than the token lives, so an expired JWT is never let in from memory.
            cache.Add(key, jwt.User, jwt.ExpiresAt);
            return (jwt.User, null);
        }
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            user = await authentication.Accounts.AuthenticateTokenAsync(credential, http.RequestAborted);
        else if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Basic(credential) is var (username, password))
        {
            var address = ServerSignIn.Address(http);
            if (signIn.Throttle.RetryAfter(username, address) is { } wait) return (null, new(null, wait));
            user = await authentication.Accounts.SignInAsync(username, password, http.RequestAborted);
            if (user is null) signIn.Throttle.Failed(username, address);
            else signIn.Throttle.Succeeded(username);
        }
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
