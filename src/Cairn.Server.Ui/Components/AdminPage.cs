using Cairn.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Ui.Components;

/// <summary>
/// An admin page (users, tokens, permissions). The server refuses non-admins before the page runs;
/// the page checks again before showing or changing anything, so neither check alone keeps it safe.
/// An action's user error (a bad name, an unknown user) is shown as text; the list is read afresh after it.
/// </summary>
public abstract class AdminPage : UiPage
{
    /// <summary>What the last action did, shown above the list.</summary>
    protected string? Done { get; set; }

    /// <summary>Why the last action was refused, shown above the list.</summary>
    protected string? Refused { get; set; }

    /// <summary>The identity store; only set once <see cref="AllowedAsync"/> said yes.</summary>
    protected IIdentityStore Identity => Access.Identity ?? throw new InvalidOperationException("Sign-in is off.");

    /// <summary>The accounts service; only set once <see cref="AllowedAsync"/> said yes.</summary>
    protected AccountService Accounts => Access.Accounts ?? throw new InvalidOperationException("Sign-in is off.");

    protected UserAccount? Caller => Http is null ? null : Access.Caller(Http);

    protected sealed override async Task OnInitializedAsync()
    {
        // A new token's secret is in the page once: no cache may keep a copy.
        if (Http is { Response.HasStarted: false }) Http.Response.Headers.CacheControl = "no-store";
        if (Allowed()) await TryLoadAsync(LoadAsync);
    }

    /// <summary>Reads what the page lists.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Whether the caller is an admin on a server with sign-in; otherwise the page's error says why (403 or 404).</summary>
    private bool Allowed()
    {
        if (!Access.Enabled)
        {
            Fail(StatusCodes.Status404NotFound, "This server runs without sign-in (--auth): it has no users, tokens or permissions.");
            return false;
        }
        if (Caller is { IsAdmin: true }) return true;
        Fail(StatusCodes.Status403Forbidden, "Permission denied: only an admin may open this page.");
        return false;
    }

    /// <summary>Runs an action for an admin only; its user error becomes <see cref="Refused"/>; the list is read again after.</summary>
    protected async Task ActAsync(Func<Task<string>> action)
    {
        if (Error is not null || Caller is not { IsAdmin: true }) return;
        try
        {
            Done = await action();
            Refused = null;
        }
        catch (CairnException e) when (!e.IsInternal)
        {
            Refused = e.Message;
            Done = null;
            SetStatus(StatusFor(e));
        }
        await TryLoadAsync(LoadAsync);
    }
}
