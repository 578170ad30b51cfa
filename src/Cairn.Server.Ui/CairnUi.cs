using Cairn.Artifacts;
using Cairn.Server.Ui.Components;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Cairn.Server.Ui.Security;
using MudBlazor.Services;

namespace Cairn.Server.Ui;

/// <summary>
/// Wires the web UI into a server: Razor components rendered on the server without interactivity
/// (static SSR: plain HTML, links and GET forms; no websocket, no JavaScript needed), the two
/// stylesheets, and raw artifact files for image previews and downloads.
/// </summary>
public static class CairnUi
{
    public const string AssetsPrefix = "/ui/assets/";

    /// <summary>
    /// Headers for every response of a server that hosts the UI. The pages are plain HTML and
    /// CSS with no script at all, so no script may run, whatever a stored value holds. Inline
    /// styles are allowed because MudBlazor's charts size their SVG with style attributes; images
    /// may come from the web, as a model card's markdown may show them; no page is framed.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> SecurityHeaders =
    [
        new("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: http: https:; "
            + "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
    ];

    public static IServiceCollection AddCairnUi(this IServiceCollection services, UiStores stores)
    {
        services.AddSingleton(stores);
        services.AddRazorComponents();
        services.AddMudServices();
        AddOpenAccess(services);
        return services;
    }

    /// <summary>Maps the pages, stylesheets and artifact files; the host attaches who may open each (<see cref="CairnUiEndpoints"/>).</summary>
    public static CairnUiEndpoints MapCairnUi(this WebApplication app)
    {
        app.UseAntiforgery();
        var assets = app.MapGet(AssetsPrefix + "{name}", (HttpContext http, string name) => ServeAsset(http, name)).ExcludeFromDescription();
        var artifacts = app.MapGet("/ui/runs/{runId}/artifact", ServeArtifactAsync).ExcludeFromDescription();
        var pages = app.MapRazorComponents<App>();
        return new CairnUiEndpoints(assets, artifacts, pages);
    }

    /// <summary>
    /// Services for the UI's sign-in: without any registered by the host, the pages act as on a
    /// server without sign-in (<see cref="OpenUiAccess"/>).
    /// </summary>
    private static void AddOpenAccess(IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<IUiAccess, OpenUiAccess>(services);

    private static IResult ServeAsset(HttpContext http, string name)
    {
        var stream = typeof(CairnUi).Assembly.GetManifestResourceStream("assets/" + name);
        if (stream is null) return Results.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Stream(stream, name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "application/octet-stream");
    }

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static bool IsHtml(string fileName) =>
        fileName.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A run's artifact file as it is: shown inline when it is an image or an HTML page (a
    /// monitor's report), downloaded otherwise. Either way the sandbox policy below applies: a
    /// page opened here runs no script and has no origin, so it cannot read the UI or act as it.
    /// </summary>
    private static async Task<IResult> ServeArtifactAsync(HttpContext http, string runId, string? path, UiStores stores)
    {
        var run = await stores.Tracking.GetRunAsync(runId, http.RequestAborted);
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        var storePath = ArtifactPath.Combine(ArtifactPath.FromUri(run.Info.ArtifactUri), relative);
        var stream = await stores.Artifacts.OpenReadAsync(storePath, http.RequestAborted);
        var fileName = relative[(relative.LastIndexOf('/') + 1)..];
        var type = ContentTypes.TryGetContentType(fileName, out var known) ? known : "application/octet-stream";
        // An SVG can carry script: shown as an image it cannot run, opened directly it is sandboxed.
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Browsing.ArtifactPreview.IsImage(fileName) || IsHtml(fileName)
            ? Results.Stream(stream, type)
            : Results.Stream(stream, type, fileDownloadName: fileName);
    }
}

/// <summary>The UI's endpoints, for the host to attach access rules to.</summary>
/// <param name="Assets">The stylesheets (needed by the sign-in page).</param>
/// <param name="Artifacts">A run's artifact files (<c>/ui/runs/{runId}/artifact</c>).</param>
/// <param name="Pages">Every page; each page's <see cref="PageAccessAttribute"/> is in its endpoint's metadata.</param>
public sealed record CairnUiEndpoints(IEndpointConventionBuilder Assets, IEndpointConventionBuilder Artifacts, RazorComponentsEndpointConventionBuilder Pages);
