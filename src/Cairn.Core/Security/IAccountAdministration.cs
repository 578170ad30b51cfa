namespace Cairn.Security;

/// <summary>
/// The account operations that take or give a secret: a new user's password, a changed password, a
/// new token's secret. They are not on <see cref="IIdentityStore"/>, which takes only hashes, because
/// the hashing and the making of secrets must happen where the store is: a remote client sends the
/// password over TLS and gets the token's secret back once, and hashes never leave the server.
/// Implemented by <c>AccountService</c> (over a store on this machine) and by the REST client.
/// </summary>
public interface IAccountAdministration
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad name or password; RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<UserAccount> CreateUserAsync(string username, string password, bool isAdmin = false, CancellationToken ct = default);

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad password; RESOURCE_DOES_NOT_EXIST for an unknown user.</exception>
    Task ChangePasswordAsync(string username, string password, CancellationToken ct = default);

    /// <summary>A new token for the user; the secret is in the answer only, never stored.</summary>
    /// <param name="username">Whose token.</param>
    /// <param name="name">What it is for (shown in lists).</param>
    /// <param name="lifetime">How long it works; null for no expiry.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad lifetime or name; RESOURCE_DOES_NOT_EXIST for an unknown user.</exception>
    Task<(ApiToken Token, string Secret)> IssueTokenAsync(string username, string name, TimeSpan? lifetime, CancellationToken ct = default);
}
