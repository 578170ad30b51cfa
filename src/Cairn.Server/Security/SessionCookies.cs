using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>
/// The web UI's session cookie: the user name, when it was issued and when it expires, encrypted
/// and signed with ASP.NET Core Data Protection, so that it cannot be read, forged or altered.
/// The lifetime is fixed from sign-in (not sliding): after it the user signs in again.
/// </summary>
internal sealed class SessionCookies(IDataProtectionProvider protection, TimeProvider time, TimeSpan lifetime)
{
    public const string Name = "cairn_session";
    private readonly IDataProtector _protector = protection.CreateProtector("Cairn.Server.Security.SessionCookies.v1");

    public void Issue(HttpContext http, string username)
    {
        var issued = time.GetUtcNow();
        var expires = issued + lifetime;
        var value = _protector.Protect(string.Join('\n', username, issued.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        http.Response.Cookies.Append(Name, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            Expires = expires,
        });
    }

    public void Clear(HttpContext http) =>
        http.Response.Cookies.Delete(Name, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/" });

    /// <summary>The request's cookie value, when it has one of a sane size.</summary>
    public static string? Value(HttpContext http) =>
        http.Request.Cookies.TryGetValue(Name, out var value) && value is { Length: > 0 and <= 4096 } ? value : null;

    /// <summary>The user name a cookie value was issued to and when it expires; null when it is forged, altered, unreadable or expired.</summary>
    public (string Username, DateTimeOffset Expires)? Read(string value)
    {
        string text;
        try
        {
            text = _protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = text.Split('\n');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return null;
        var until = DateTimeOffset.FromUnixTimeSeconds(expires);
        return time.GetUtcNow() < until ? (parts[0], until) : null;
    }
}
