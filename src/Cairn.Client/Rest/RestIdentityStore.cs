using Cairn.Protocol;
using Cairn.Security;

namespace Cairn.Rest;

/// <summary>
/// The identity store of a remote Cairn server with --auth, through MLflow's user endpoints and
/// Cairn's administration endpoints (/api/2.0/cairn/users|tokens|groups|permissions/*), signed in as
/// the caller: the server decides what they may do (admins everything; a user their own account and
/// tokens; permissions whoever manages the resource).
/// The operations that carry a password hash or a token's secret hash are refused with
/// NOT_IMPLEMENTED: hashes never leave the server, and secrets are made and hashed there. Create
/// users, change passwords and issue tokens remotely with <see cref="RestAccountAdministration"/>.
/// </summary>
public sealed class RestIdentityStore(RestTransport transport) : IIdentityStore
{
    private const string Mlflow = "api/2.0/mlflow/users/", Cairn = "api/2.0/cairn/";

    private static CairnException ServerOnly(string what, string instead) =>
        new(ErrorCodes.NotImplemented, $"{what} is done only on the server: hashes never leave it. {instead}");

    /// <summary>Refused: the password is hashed on the server (<see cref="RestAccountAdministration.CreateUserAsync"/>).</summary>
    public Task<UserAccount> CreateUserAsync(string username, string passwordHash, bool isAdmin, CancellationToken ct = default) =>
        throw ServerOnly("Creating a user from a password hash", "Send the password instead (cairn users create, or IAccountAdministration).");

    /// <inheritdoc />
    public async Task<UserAccount> GetUserAsync(string username, CancellationToken ct = default) =>
        (await transport.GetAsync<AccountResponse>(Cairn + "users/get", [("username", username)], ct).ConfigureAwait(false)).User;

    /// <inheritdoc />
    public async Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<UsersResponse>(Cairn + "users/list", [], ct).ConfigureAwait(false)).Users ?? [];

    /// <summary>Refused: password hashes never leave the server.</summary>
    public Task<string?> GetPasswordHashAsync(string username, CancellationToken ct = default) =>
        throw ServerOnly("Reading a password hash", "Sign in with the password instead.");

    /// <summary>Refused: the password is hashed on the server (<see cref="RestAccountAdministration.ChangePasswordAsync"/>).</summary>
    public Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken ct = default) =>
        throw ServerOnly("Setting a password hash", "Send the new password instead (cairn users passwd, or IAccountAdministration).");

    /// <inheritdoc />
    public Task UpdateAdminAsync(string username, bool isAdmin, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Patch, Mlflow + "update-admin", new UpdateUserAdminRequest(username, isAdmin), ct);

    /// <inheritdoc />
    public Task DeleteUserAsync(string username, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Delete, Mlflow + "delete", new DeleteUserRequest(username), ct);

    /// <inheritdoc />
    public Task AddToGroupAsync(string group, string username, CancellationToken ct = default) =>
        transport.PostAsync<object>(Cairn + "groups/add-member", new GroupMemberRequest(group, username), ct);

    /// <inheritdoc />
    public async Task<bool> RemoveFromGroupAsync(string group, string username, CancellationToken ct = default) =>
        (await transport.PostAsync<GroupMemberRemovedResponse>(Cairn + "groups/remove-member", new GroupMemberRequest(group, username), ct).ConfigureAwait(false)).Removed;

    /// <summary>Refused: a token's secret is made and hashed on the server (<see cref="RestAccountAdministration.IssueTokenAsync"/>).</summary>
    public Task<ApiToken> CreateTokenAsync(NewApiToken token, CancellationToken ct = default) =>
        throw ServerOnly("Storing a token from its secret's hash", "Ask the server for a new token instead (cairn tokens create, or IAccountAdministration).");

    /// <summary>Refused: tokens are looked up by their secret's hash only where they are checked, on the server.</summary>
    public Task<ApiToken?> FindTokenAsync(string secretHash, CancellationToken ct = default) =>
        throw ServerOnly("Looking a token up by its secret's hash", "List tokens by user instead.");

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? username = null, CancellationToken ct = default) =>
        (await transport.GetAsync<TokensResponse>(Cairn + "tokens/list", [("username", username)], ct).ConfigureAwait(false)).Tokens ?? [];

    /// <inheritdoc />
    public async Task<ApiToken> RevokeTokenAsync(string tokenId, CancellationToken ct = default) =>
        (await transport.PostAsync<TokenResponse>(Cairn + "tokens/revoke", new RevokeTokenRequest(tokenId), ct).ConfigureAwait(false)).Token;

    /// <inheritdoc />
    public Task SetPermissionAsync(ResourcePermission permission, CancellationToken ct = default) =>
        transport.PostAsync<object>(Cairn + "permissions/set",
            new PermissionRequest(permission.ResourceType, permission.ResourceId, permission.Principal, permission.Permission.Name()), ct);

    /// <inheritdoc />
    public async Task<ResourcePermission?> GetPermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default) =>
        (await transport.GetAsync<PermissionResponse>(Cairn + "permissions/get",
            [("resource_type", resourceType), ("resource_id", resourceId), ("principal", principal)], ct).ConfigureAwait(false)).Permission;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ResourcePermission>> ListPermissionsAsync(string? resourceType = null, string? resourceId = null, string? principal = null, CancellationToken ct = default) =>
        (await transport.GetAsync<PermissionsResponse>(Cairn + "permissions/list",
            [("resource_type", resourceType), ("resource_id", resourceId), ("principal", principal)], ct).ConfigureAwait(false)).Permissions ?? [];

    /// <inheritdoc />
    public async Task<bool> DeletePermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default) =>
        (await transport.SendJsonAsync<PermissionDeletedResponse>(HttpMethod.Delete, Cairn + "permissions/delete",
            new PermissionRequest(resourceType, resourceId, principal, null), ct).ConfigureAwait(false)).Deleted;
}
