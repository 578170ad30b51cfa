namespace Cairn.Security;

/// <summary>
/// Users, their groups, API tokens and per-resource permissions: what the server's sign-in and
/// permission checks read. Passwords and tokens arrive hashed (<see cref="PasswordHasher"/>,
/// <see cref="ApiTokenSecrets"/>); the store never sees a secret. Implemented by the SQL stores and
/// by the REST client, which refuses the operations that carry a hash (hashes never leave the
/// server); what needs a password or gives a secret is <see cref="IAccountAdministration"/>.
/// </summary>
public interface IIdentityStore
{
    /// <exception cref="CairnException">RESOURCE_ALREADY_EXISTS when the name is taken; INVALID_PARAMETER_VALUE for a bad name.</exception>
    Task<UserAccount> CreateUserAsync(string username, string passwordHash, bool isAdmin, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task<UserAccount> GetUserAsync(string username, CancellationToken ct = default);

    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct = default);

    /// <summary>The stored password hash; null when there is no such user (callers answer both the same way).</summary>
    Task<string?> GetPasswordHashAsync(string username, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task UpdateAdminAsync(string username, bool isAdmin, CancellationToken ct = default);

    /// <summary>Deletes the user with their tokens, group memberships and own permissions.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task DeleteUserAsync(string username, CancellationToken ct = default);

    /// <summary>Adds the user to the group (a group exists while it has members); adding twice is no change.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task AddToGroupAsync(string group, string username, CancellationToken ct = default);

    /// <summary>Removes the user from the group; false when they were not in it.</summary>
    Task<bool> RemoveFromGroupAsync(string group, string username, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such user.</exception>
    Task<ApiToken> CreateTokenAsync(NewApiToken token, CancellationToken ct = default);

    /// <summary>The token whose secret hashes to <paramref name="secretHash"/>, revoked or expired ones included; null when none.</summary>
    Task<ApiToken?> FindTokenAsync(string secretHash, CancellationToken ct = default);

    /// <summary>The tokens of one user (or of everyone), newest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? username = null, CancellationToken ct = default);

    /// <summary>Revokes the token from now on; revoking twice keeps the first time.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such token.</exception>
    Task<ApiToken> RevokeTokenAsync(string tokenId, CancellationToken ct = default);

    /// <summary>Creates or replaces the principal's permission on the resource.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown resource type or a malformed principal;
    /// RESOURCE_DOES_NOT_EXIST for a user principal that is not a user.</exception>
    Task SetPermissionAsync(ResourcePermission permission, CancellationToken ct = default);

    /// <summary>The principal's own permission on the resource; null when none is set.</summary>
    Task<ResourcePermission?> GetPermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default);

    /// <summary>Permissions matching every filter given (null: any), ordered by type, resource and principal.</summary>
    Task<IReadOnlyList<ResourcePermission>> ListPermissionsAsync(string? resourceType = null, string? resourceId = null, string? principal = null, CancellationToken ct = default);

    /// <summary>Removes the principal's permission on the resource; false when there was none.</summary>
    Task<bool> DeletePermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default);
}
