using Cairn.Security;

namespace Cairn.Protocol;

// Request and response bodies of Cairn's administration endpoints (/api/2.0/cairn/users|tokens|groups|permissions/*),
// what MLflow's auth API lacks. Hashes are never part of them; a token's secret only of the answer that made it.

public sealed record UsersResponse(IReadOnlyList<UserAccount> Users);
public sealed record AccountResponse(UserAccount User);

public sealed record CreateTokenRequest(string? Username, string? Name, long? LifetimeSeconds);
/// <summary>A new token with its secret: the only answer that ever carries it.</summary>
public sealed record CreatedTokenResponse(ApiToken Token, string Secret);
public sealed record TokensResponse(IReadOnlyList<ApiToken> Tokens);
public sealed record RevokeTokenRequest(string? TokenId);
public sealed record TokenResponse(ApiToken Token);

public sealed record GroupMemberRequest(string? Group, string? Username);
public sealed record GroupMemberRemovedResponse(bool Removed);
public sealed record GroupsResponse(IReadOnlyList<GroupMembers> Groups);

public sealed record PermissionRequest(string? ResourceType, string? ResourceId, string? Principal, string? Permission);
public sealed record PermissionResponse(ResourcePermission? Permission);
public sealed record PermissionsResponse(IReadOnlyList<ResourcePermission> Permissions);
public sealed record PermissionDeletedResponse(bool Deleted);
