using Cairn.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Ui.Security;

/// <summary>
/// What the pages ask of the server's sign-in and permissions: who is signed in, what they may
/// read, and the session cookie. The server implements it when it runs with --auth;
/// <see cref="OpenUiAccess"/> answers for a server without sign-in.
/// </summary>
public interface IUiAccess
{
    /// <summary>Whether the server asks for sign-in at all.</summary>
    bool Enabled { get; }

    /// <summary>The user's accounts and tokens; null without sign-in.</summary>
    AccountService? Accounts { get; }

    /// <summary>Users, groups, tokens and permissions; null without sign-in.</summary>
    IIdentityStore? Identity { get; }

    /// <summary>The signed-in user of the request; null when nobody is (or sign-in is off).</summary>
    UserAccount? Caller(HttpContext http);

    /// <summary>Which resources of a type (<see cref="ResourceTypes"/>) the caller may read; null when all.</summary>
    Task<Func<string, bool>?> ReadableAsync(HttpContext http, string resourceType);

    /// <summary>Whether the caller may change the resource (EDIT or more); true without sign-in.</summary>
    Task<bool> CanEditAsync(HttpContext http, string resourceType, string resourceId);

    /// <summary>Checks the password (throttled per user and address) and, when right, sets the session cookie.</summary>
    Task<UiSignIn> SignInAsync(HttpContext http, string username, string password);

    /// <summary>Ends the session: clears the cookie.</summary>
    void SignOut(HttpContext http);

    /// <summary>Forgets what the server remembers of a user's credentials after their account changed.</summary>
    void Forget(HttpContext http, string username);
}

/// <summary>The outcome of a sign-in through the form.</summary>
/// <param name="User">The user signed in; null when refused.</param>
/// <param name="RetryAfter">Set when refused because of too many failures: how long to wait.</param>
public sealed record UiSignIn(UserAccount? User, TimeSpan? RetryAfter);

/// <summary>A server without sign-in: nobody is signed in and everyone may read and change everything.</summary>
public sealed class OpenUiAccess : IUiAccess
{
    /// <inheritdoc />
    public bool Enabled => false;
    /// <inheritdoc />
    public AccountService? Accounts => null;
    /// <inheritdoc />
    public IIdentityStore? Identity => null;
    /// <inheritdoc />
    public UserAccount? Caller(HttpContext http) => null;
    /// <inheritdoc />
    public Task<Func<string, bool>?> ReadableAsync(HttpContext http, string resourceType) => Task.FromResult<Func<string, bool>?>(null);
    /// <inheritdoc />
    public Task<bool> CanEditAsync(HttpContext http, string resourceType, string resourceId) => Task.FromResult(true);
    /// <inheritdoc />
    public Task<UiSignIn> SignInAsync(HttpContext http, string username, string password) =>
        throw new CairnException(ErrorCodes.BadRequest, "This server runs without sign-in.");
    /// <inheritdoc />
    public void SignOut(HttpContext http) { }
    /// <inheritdoc />
    public void Forget(HttpContext http, string username) { }
}

/// <summary>Who may open a page on a server with sign-in; pages without it are for any signed-in user, who sees only what they may read.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PageAccessAttribute(PageAccess access) : Attribute
{
    /// <summary>The access the page needs.</summary>
    public PageAccess Access { get; } = access;
}

/// <summary>Levels of <see cref="PageAccessAttribute"/>.</summary>
public enum PageAccess
{
    /// <summary>Anyone, signed in or not (the sign-in page).</summary>
    Anyone,
    /// <summary>Any signed-in user; the page filters what it shows.</summary>
    SignedIn,
    /// <summary>Server-wide things (datasets, features, pipelines, monitors, endpoints): the server's default permission decides.</summary>
    Shared,
    /// <summary>Admins only.</summary>
    Admin,
}
