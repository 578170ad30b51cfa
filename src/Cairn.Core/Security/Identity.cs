namespace Cairn.Security;

/// <summary>A person or service that signs in. Its password hash never leaves the store's own reads.</summary>
/// <param name="Id">A number the store gives, as MLflow's user id.</param>
/// <param name="Username">The unique name the user signs in with.</param>
/// <param name="IsAdmin">Admins may do everything, including managing users and permissions.</param>
/// <param name="CreationTime">Milliseconds since the Unix epoch.</param>
/// <param name="Groups">The groups the user belongs to, by name, in order.</param>
public sealed record UserAccount(long Id, string Username, bool IsAdmin, long CreationTime, IReadOnlyList<string> Groups);

/// <summary>An API token's record: everything but the secret, which is stored only as its SHA-256.</summary>
/// <param name="Id">A short random id, shown in lists and used to revoke.</param>
/// <param name="Username">Whose token it is.</param>
/// <param name="Name">What the user called it (such as "ci").</param>
/// <param name="CreationTime">Milliseconds since the Unix epoch.</param>
/// <param name="ExpiryTime">When it stops working; null for never.</param>
/// <param name="RevokedTime">When it was revoked; null while it is not.</param>
public sealed record ApiToken(string Id, string Username, string Name, long CreationTime, long? ExpiryTime, long? RevokedTime)
{
    /// <summary>Whether the token signs in at <paramref name="now"/> (milliseconds since the epoch).</summary>
    public bool IsValidAt(long now) => RevokedTime is null && (ExpiryTime is not { } expiry || now < expiry);
}

/// <summary>What a caller gives to store a new token: the hash of a secret made by <see cref="ApiTokenSecrets"/>.</summary>
public sealed record NewApiToken(string Id, string Username, string Name, string SecretHash, long? ExpiryTime);

/// <summary>The kinds of resource a <see cref="ResourcePermission"/> is about.</summary>
public static class ResourceTypes
{
    /// <summary>An experiment, by id.</summary>
    public const string Experiment = "experiment";
    /// <summary>A registered model, by name.</summary>
    public const string RegisteredModel = "registered_model";

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [Experiment, RegisteredModel];
}

/// <summary>
/// A permission on one resource for one principal: <c>user:NAME</c> or <c>group:NAME</c>
/// (see <see cref="Principals"/>). A user's permission on a resource is their own when they have
/// one, else the highest of their groups', else the server's default.
/// </summary>
public sealed record ResourcePermission(string ResourceType, string ResourceId, string Principal, Permission Permission);

/// <summary>Principals as permissions name them: <c>user:alice</c>, <c>group:ml-team</c>.</summary>
public static class Principals
{
    /// <summary>The principal of a user.</summary>
    public static string User(string username) => "user:" + username;

    /// <summary>The principal of a group.</summary>
    public static string Group(string group) => "group:" + group;
}
