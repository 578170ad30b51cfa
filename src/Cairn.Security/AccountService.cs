namespace Cairn.Security;

/// <summary>
/// Accounts over an <see cref="IIdentityStore"/>: passwords checked and hashed before the store sees
/// them, tokens issued with their secret shown once, and sign-in by password or token. Every failed
/// sign-in answers the same (null), whether the user is unknown, the password wrong or the token revoked.
/// </summary>
public sealed class AccountService(IIdentityStore store, PasswordHasher? hasher = null, TimeProvider? time = null) : IAccountAdministration
{
    private readonly PasswordHasher _hasher = hasher ?? PasswordHasher.Default;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The longest lifetime a token may be given.</summary>
    public static readonly TimeSpan MaxTokenLifetime = TimeSpan.FromDays(3650);

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad name or password; RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    public Task<UserAccount> CreateUserAsync(string username, string password, bool isAdmin = false, CancellationToken ct = default) =>
        store.CreateUserAsync(IdentityRules.Username(username), _hasher.Hash(IdentityRules.Password(password)), isAdmin, ct);

    /// <summary>
    /// Sets a new password. Refused for a user made by single sign-on: a password would let them in
    /// after the identity provider has shut them out.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad password or a single sign-on user; RESOURCE_DOES_NOT_EXIST for an unknown user.</exception>
    public async Task ChangePasswordAsync(string username, string password, CancellationToken ct = default)
    {
        var hash = _hasher.Hash(IdentityRules.Password(password));
        if (await store.GetPasswordHashAsync(IdentityRules.Username(username), ct).ConfigureAwait(false) == PasswordHasher.NoPassword)
            throw CairnException.InvalidParameter($"User '{username}' signs in through the identity provider (OIDC) and cannot have a password here.");
        await store.UpdatePasswordHashAsync(username, hash, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The user of a name the identity provider vouched for, made on first sign-in with no password
    /// (<see cref="PasswordHasher.NoPassword"/>), so they can sign in only with the provider's tokens.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a name no user can have.</exception>
    public async Task<UserAccount> ExternalUserAsync(string username, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await store.GetUserAsync(username, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
            {
            }
            try
            {
                return await store.CreateUserAsync(username, PasswordHasher.NoPassword, isAdmin: false, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceAlreadyExists && attempt == 0)
            {
                // Made by a concurrent first sign-in: read it.
            }
        }
    }

    /// <summary>The user when the password is theirs; otherwise null, after the same work.</summary>
    public async Task<UserAccount?> SignInAsync(string username, string password, CancellationToken ct = default)
    {
        string? stored = null;
        try
        {
            stored = await store.GetPasswordHashAsync(IdentityRules.Username(username), ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidParameterValue)
        {
            // A name no user can have: answered as a wrong password.
        }
        if (!_hasher.Verify(password, stored)) return null;
        if (_hasher.NeedsRehash(stored!)) await store.UpdatePasswordHashAsync(username, _hasher.Hash(password), ct).ConfigureAwait(false);
        return await store.GetUserAsync(username, ct).ConfigureAwait(false);
    }

    /// <summary>A new token for the user; the secret is in the answer only, never stored.</summary>
    /// <param name="username">Whose token.</param>
    /// <param name="name">What it is for (shown in lists).</param>
    /// <param name="lifetime">How long it works; null for no expiry.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a lifetime not positive or over <see cref="MaxTokenLifetime"/>; RESOURCE_DOES_NOT_EXIST for an unknown user.</exception>
    public async Task<(ApiToken Token, string Secret)> IssueTokenAsync(string username, string name, TimeSpan? lifetime, CancellationToken ct = default)
    {
        if (lifetime is { } span && (span <= TimeSpan.Zero || span > MaxTokenLifetime))
            throw CairnException.InvalidParameter($"A token's lifetime must be positive and at most {MaxTokenLifetime.TotalDays:0} days.");
        var (id, secret) = ApiTokenSecrets.New();
        var expiry = lifetime is { } l ? _time.GetUtcNow().Add(l).ToUnixTimeMilliseconds() : (long?)null;
        var token = await store.CreateTokenAsync(new NewApiToken(id, IdentityRules.Username(username), name, ApiTokenSecrets.Hash(secret), expiry), ct).ConfigureAwait(false);
        return (token, secret);
    }

    /// <summary>The token's user while the token is neither expired nor revoked; otherwise null.</summary>
    public async Task<UserAccount?> AuthenticateTokenAsync(string secret, CancellationToken ct = default)
    {
        if (!ApiTokenSecrets.Looks(secret)) return null;
        var token = await store.FindTokenAsync(ApiTokenSecrets.Hash(secret), ct).ConfigureAwait(false);
        if (token is null || !token.IsValidAt(_time.GetUtcNow().ToUnixTimeMilliseconds())) return null;
        try
        {
            return await store.GetUserAsync(token.Username, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return null;
        }
    }
}
