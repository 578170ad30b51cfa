using Cairn.Security;

namespace Cairn.Server.Security;

/// <summary>
/// Sign-in for <c>cairn server --auth</c>: every request but the probes (<c>/health</c>,
/// <c>/version</c>) carries HTTP basic credentials (MLflow's <c>MLFLOW_TRACKING_USERNAME</c> and
/// <c>PASSWORD</c>) or a bearer API token (<c>MLFLOW_TRACKING_TOKEN</c>, <c>CAIRN_TRACKING_TOKEN</c>).
/// </summary>
/// <param name="Accounts">Checks passwords and tokens.</param>
/// <param name="Identity">The users, read by the user endpoints.</param>
public sealed record ServerAuthentication(AccountService Accounts, IIdentityStore Identity)
{
    /// <summary>
    /// How long a verified credential is remembered (in memory, by a keyed hash, never the secret),
    /// so that MLflow clients sending basic credentials on every request do not pay a password hash
    /// each time. A changed password, deleted user or revoked token takes effect within this time
    /// (at once when changed through this server).
    /// </summary>
    public TimeSpan CredentialCacheTime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Single sign-on: bearer JWTs from the organisation's identity provider; null when only Cairn's own users and tokens sign in.</summary>
    public JwtAuthenticator? Oidc { get; init; }

    /// <summary>A user's permission on a resource they have none on, themselves or through a group (MLflow's default is READ).</summary>
    public Permission DefaultPermission { get; init; } = Permission.Read;

    /// <summary>How long a web UI session lasts from sign-in (fixed, not sliding).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The folder of the keys that protect session cookies and the UI's antiforgery tokens; null:
    /// keys live in memory and sessions end when the server stops. Servers behind one address share it.
    /// </summary>
    public string? SessionKeyFolder { get; init; }
}
