using Cairn.Security;
using Cairn.Server.Ui.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Security;

/// <summary>
/// The sign-in state of one server with --auth, shared by the authentication middleware and the
/// web UI: remembered credentials, the sign-in throttle and the session cookie.
/// </summary>
internal sealed class ServerSignIn(ServerAuthentication authentication, TimeProvider time, IDataProtectionProvider protection) : IUiAccess
{
    private readonly PermissionResolver _resolver = new(authentication.Identity, authentication.DefaultPermission);

    public ServerAuthentication Authentication => authentication;
    public CredentialCache Cache { get; } = new(time, authentication.CredentialCacheTime);
    public SignInThrottle Throttle { get; } = new(time);
    public SessionCookies Cookies { get; } = new(protection, time, authentication.SessionLifetime);

    public bool Enabled => true;
    public AccountService Accounts => authentication.Accounts;
    public IIdentityStore Identity => authentication.Identity;

    /// <summary>The address failures are counted against.</summary>
    public static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public UserAccount? Caller(HttpContext http) => http.Caller();

    public async Task<Func<string, bool>?> ReadableAsync(HttpContext http, string resourceType)
    {
        if (http.Caller() is not { IsAdmin: false } caller) return null;
        var permissionOf = await _resolver.ResolveAllAsync(caller, resourceType, http.RequestAborted);
        return id => permissionOf(id).CanRead();
    }

    public async Task<bool> CanEditAsync(HttpContext http, string resourceType, string resourceId) =>
        http.Caller() is { } caller && (caller.IsAdmin || (await _resolver.ResolveAsync(caller, resourceType, resourceId, http.RequestAborted)).CanUpdate());

    /// <summary>A password sign-in, throttled: null user and a wait when refused for too many failures.</summary>
    public async Task<UiSignIn> SignInAsync(HttpContext http, string username, string password)
    {
        var address = Address(http);
        if (Throttle.RetryAfter(username, address) is { } wait) return new(null, wait);
        var user = await authentication.Accounts.SignInAsync(username, password, http.RequestAborted);
        if (user is null)
        {
            Throttle.Failed(username, address);
            return new(null, null);
        }
        Throttle.Succeeded(username);
        Cookies.Issue(http, user.Username);
        return new(user, null);
    }

    public void SignOut(HttpContext http) => Cookies.Clear(http);

    public void Forget(HttpContext http, string username) => Cache.Forget(username);
}

/// <summary>Registers sign-in for a server with --auth.</summary>
public static class SignInServices
{
    /// <summary>
    /// The session cookie's keys (kept in <see cref="ServerAuthentication.SessionKeyFolder"/>, or in
    /// memory when none is given) and the UI's view of sign-in; nothing when auth is off.
    /// </summary>
    public static IServiceCollection AddCairnSignIn(this IServiceCollection services, ServerAuthentication? authentication, TimeProvider time)
    {
        if (authentication is null) return services;
        var protection = services.AddDataProtection().SetApplicationName("cairn");
        if (authentication.SessionKeyFolder is { } folder) protection.PersistKeysToFileSystem(new DirectoryInfo(folder));
        else services.AddSingleton<IDataProtectionProvider>(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        services.AddSingleton(services => new ServerSignIn(authentication, time, services.GetRequiredService<IDataProtectionProvider>()));
        services.AddSingleton<IUiAccess>(services => services.GetRequiredService<ServerSignIn>());
        return services;
    }
}
