using Microsoft.AspNetCore.Components;
using Cairn.Security;
using Cairn.Tracking;
using Cairn.Server.Ui.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Ui.Components;

/// <summary>
/// A page that reads the stores. A user error (unknown id, bad filter, garbage page token) becomes
/// a message in the page and a 4xx status, never a stack trace; anything else is left to the
/// server's error handling, which logs it and answers a generic 500.
/// </summary>
public abstract class UiPage : ComponentBase
{
    [CascadingParameter] public HttpContext? Http { get; set; }
    [Inject] public required UiStores Stores { get; set; }
    /// <summary>The signed-in user and what they may read (everything on a server without sign-in).</summary>
    [Inject] public required IUiAccess Access { get; set; }

    /// <summary>The message that replaces the page's content, when it could not be loaded.</summary>
    protected string? Error { get; private set; }

    protected CancellationToken Aborted => Http?.RequestAborted ?? CancellationToken.None;

    /// <summary>Runs <paramref name="load"/>; a <see cref="CairnException"/> becomes the page's error.</summary>
    protected async Task<bool> TryLoadAsync(Func<Task> load)
    {
        try
        {
            await load();
            return true;
        }
        catch (CairnException e) when (!e.IsInternal) // internal errors go to the server's handler: logged, answered with an id
        {
            Fail(e);
            return false;
        }
    }

    /// <summary>Refuses the page (403, nothing of the resource shown) unless the caller may read the resource.</summary>
    /// <exception cref="CairnException">PERMISSION_DENIED.</exception>
    protected async Task RequireReadAsync(string resourceType, string resourceId)
    {
        if (Http is null || await Access.ReadableAsync(Http, resourceType) is not { } readable || readable(resourceId)) return;
        throw new CairnException(ErrorCodes.PermissionDenied, $"Permission denied: you may not read this {resourceType.Replace('_', ' ')}. Ask an admin or its manager for READ.");
    }

    /// <summary>What of a resource type the caller may read; null when everything.</summary>
    protected Task<Func<string, bool>?> ReadableAsync(string resourceType) =>
        Http is null ? Task.FromResult<Func<string, bool>?>(null) : Access.ReadableAsync(Http, resourceType);

    /// <summary>A search page holding only what the caller may read (<see cref="FilteredPages"/>).</summary>
    protected async Task<Page<T>> VisibleAsync<T>(string resourceType, Func<T, string> idOf, int maxResults, string? pageToken,
        Func<int, string?, Task<Page<T>>> search)
    {
        var readable = await ReadableAsync(resourceType);
        return await FilteredPages.SearchAsync(readable is null ? null : item => readable(idOf(item)), maxResults, pageToken, search);
    }

    protected void Fail(CairnException e) => Fail(StatusFor(e), e.Message);

    protected void Fail(int status, string message)
    {
        Error = message;
        SetStatus(status);
    }

    /// <summary>Sets the status without replacing the page, for errors shown inline (a bad filter).</summary>
    protected void SetStatus(int status) => PageStatus.SetWhenStarting(Http, status);

    protected static int StatusFor(CairnException e) => PageStatus.For(e);
}

/// <summary>The status of a page that shows a user error.</summary>
public static class PageStatus
{
    public static int For(CairnException e) => e.ErrorCode switch
    {
        ErrorCodes.ResourceDoesNotExist => StatusCodes.Status404NotFound,
        ErrorCodes.PermissionDenied => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>
    /// Sets the status as the response starts, after the page has rendered: Blazor's endpoint
    /// renderer treats a 404 set while rendering as "no page here" and drops the body, which would
    /// lose the message that says what was not found.
    /// </summary>
    public static void SetWhenStarting(HttpContext? http, int status)
    {
        if (http is null || http.Response.HasStarted) return;
        http.Response.OnStarting(() =>
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        });
    }
}
