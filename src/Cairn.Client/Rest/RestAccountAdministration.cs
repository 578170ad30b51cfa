using Cairn.Protocol;
using Cairn.Security;

namespace Cairn.Rest;

/// <summary>
/// Account operations that carry a secret, on a remote server with --auth: passwords are sent (over
/// TLS, to be hashed there) and a new token's secret comes back once. A user may change their own
/// password and issue their own tokens; the rest is for admins.
/// </summary>
public sealed class RestAccountAdministration(RestTransport transport) : IAccountAdministration
{
    private readonly RestIdentityStore _identity = new(transport);

    /// <summary>MLflow's users/create, then its update-admin for an admin (MLflow creates users as non-admins).</summary>
    public async Task<UserAccount> CreateUserAsync(string username, string password, bool isAdmin = false, CancellationToken ct = default)
    {
        // Checked here too, so that an empty name gets the same answer as on a database.
        IdentityRules.Username(username);
        await transport.PostAsync<object>("api/2.0/mlflow/users/create", new CreateUserRequest(username, password), ct).ConfigureAwait(false);
        if (isAdmin) await _identity.UpdateAdminAsync(username, true, ct).ConfigureAwait(false);
        return await _identity.GetUserAsync(username, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task ChangePasswordAsync(string username, string password, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Patch, "api/2.0/mlflow/users/update-password", new UpdateUserPasswordRequest(username, password), ct);

    /// <inheritdoc />
    public async Task<(ApiToken Token, string Secret)> IssueTokenAsync(string username, string name, TimeSpan? lifetime, CancellationToken ct = default)
    {
        var seconds = lifetime is { } l ? (long)Math.Ceiling(l.TotalSeconds) : (long?)null;
        var created = await transport.PostAsync<CreatedTokenResponse>("api/2.0/cairn/tokens/create", new CreateTokenRequest(username, name, seconds), ct).ConfigureAwait(false);
        return (created.Token, created.Secret);
    }
}
