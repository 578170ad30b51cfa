using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>
/// Which requests belong to the web UI, where a session cookie counts and an anonymous browser is
/// sent to the sign-in page. The API, the artifact proxy and the other machine endpoints never take
/// the cookie: they have no antiforgery tokens, so only basic or bearer credentials sign in there.
/// </summary>
public static class UiPaths
{
    /// <summary>The sign-in page.</summary>
    public const string SignIn = "/signin";

    private static readonly PathString[] MachinePaths =
        ["/api", "/ajax-api", "/openapi", "/metrics", "/get-online-features", "/push", "/health", "/version"];

    /// <summary>Whether a path is the web UI's (anything but the machine endpoints).</summary>
    public static bool IsUiPath(PathString path) => !MachinePaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Paths anyone may open: the sign-in page and the stylesheets it uses.</summary>
    public static bool IsOpen(PathString path) =>
        path.Equals(SignIn, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/ui/assets", StringComparison.OrdinalIgnoreCase);

    /// <summary>A browser asking for a page: GET of a UI path that accepts HTML.</summary>
    public static bool WantsPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && IsUiPath(request.Path) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>The sign-in page, to come back to this request's page afterwards.</summary>
    public static string SignInAddress(HttpRequest request) =>
        SignIn + "?return=" + Uri.EscapeDataString(request.Path.Value + request.QueryString.Value);
}
