using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Hosting;

/// <summary>
/// The web origins whose pages may call a server from a browser (CORS). None by default, so no
/// CORS header is ever sent unless an operator names the origins.
/// </summary>
public static class CorsOrigins
{
    public const string OptionName = "--cors-origins";

    /// <summary>Each origin as the browser sends it (<c>https://app.example.com</c>, lower case, no trailing slash).</summary>
    /// <exception cref="CairnException">Not an http(s) origin, or <c>*</c>.</exception>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> origins) =>
        origins.Select(o => o.Trim()).Where(o => o.Length > 0).Select(NormalizeOne).Distinct().ToList();

    /// <exception cref="CairnException">An origin that is not one; thrown here, at start-up, not at the first request.</exception>
    public static IServiceCollection AddCorsOrigins(this IServiceCollection services, IReadOnlyList<string> origins)
    {
        var normalized = Normalize(origins);
        return normalized.Count == 0
            ? services
            : services.AddCors(cors => cors.AddDefaultPolicy(policy => policy.WithOrigins([.. normalized]).AllowAnyMethod().AllowAnyHeader()));
    }

    /// <summary>Answers preflight requests and adds CORS headers for the named origins; does nothing without any.</summary>
    public static IApplicationBuilder UseCorsOrigins(this IApplicationBuilder app, IReadOnlyList<string> origins) =>
        origins.Count == 0 ? app : app.UseCors();

    private static string NormalizeOne(string origin)
    {
        if (origin == "*")
            throw CairnException.InvalidParameter($"{OptionName}: '*' would let every web page call this server with its users' access; name the origins, as in https://app.example.com.");
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw CairnException.InvalidParameter($"{OptionName}: '{origin}' is not a web origin; give a scheme, host and optional port, as in https://app.example.com or http://localhost:3000.");
        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}
