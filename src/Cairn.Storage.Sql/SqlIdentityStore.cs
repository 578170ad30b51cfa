using System.Data.Common;
using Cairn.Security;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>Users, groups, API tokens and permissions in the metadata database.</summary>
public sealed class SqlIdentityStore(SqlDatabase database, TimeProvider? time = null) : IIdentityStore
{
    private const string TokenColumns = "token_id, username, name, creation_time, expiry_time, revoked_time";
    private const int MaxTokenNameLength = 100;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static CairnException NoUser(string username) => CairnException.NotFound($"There is no user '{username}' (see `cairn users list`).");

    public async Task<UserAccount> CreateUserAsync(string username, string passwordHash, bool isAdmin, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var now = Now;
        var created = await database.WriteAsync((c, t) =>
        {
            if (Exists(c, t, username)) return false;
            var id = (ScalarLong(c, t, "SELECT MAX(user_id) FROM users") ?? 0) + 1;
            Exec(c, t, "INSERT INTO users (user_id, username, password_hash, is_admin, creation_time) VALUES (@id, @u, @h, @a, @now)",
                ("@id", id), ("@u", username), ("@h", passwordHash), ("@a", isAdmin ? 1 : 0), ("@now", now));
            return true;
        }, ct).ConfigureAwait(false);
        if (!created) throw CairnException.AlreadyExists($"User '{username}' already exists.");
        return await GetUserAsync(username, ct).ConfigureAwait(false);
    }

    public Task<UserAccount> GetUserAsync(string username, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        using var c = database.Open();
        return Task.FromResult(ReadUsers(c, "WHERE u.username = @u", ("@u", username)).SingleOrDefault() ?? throw NoUser(username));
    }

    public Task<IReadOnlyList<UserAccount>> ListUsersAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<UserAccount>>(ReadUsers(c, ""));
    }

    public Task<string?> GetPasswordHashAsync(string username, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        using var c = database.Open();
        return Task.FromResult(ScalarString(c, null, "SELECT password_hash FROM users WHERE username = @u", ("@u", username)));
    }

    public async Task UpdatePasswordHashAsync(string username, string passwordHash, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        ArgumentException.ThrowIfNullOrEmpty(passwordHash);
        var changed = await database.WriteAsync((c, t) => Exec(c, t, "UPDATE users SET password_hash = @h WHERE username = @u", ("@h", passwordHash), ("@u", username)), ct).ConfigureAwait(false);
        if (changed == 0) throw NoUser(username);
    }

    public async Task UpdateAdminAsync(string username, bool isAdmin, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        var changed = await database.WriteAsync((c, t) => Exec(c, t, "UPDATE users SET is_admin = @a WHERE username = @u", ("@a", isAdmin ? 1 : 0), ("@u", username)), ct).ConfigureAwait(false);
        if (changed == 0) throw NoUser(username);
    }

    public async Task DeleteUserAsync(string username, CancellationToken ct = default)
    {
        IdentityRules.Username(username);
        var deleted = await database.WriteAsync((c, t) =>
        {
            Exec(c, t, "DELETE FROM api_tokens WHERE username = @u", ("@u", username));
            Exec(c, t, "DELETE FROM user_groups WHERE username = @u", ("@u", username));
            Exec(c, t, "DELETE FROM resource_permissions WHERE principal = @p", ("@p", Principals.User(username)));
            return Exec(c, t, "DELETE FROM users WHERE username = @u", ("@u", username));
        }, ct).ConfigureAwait(false);
        if (deleted == 0) throw NoUser(username);
    }

    public async Task AddToGroupAsync(string group, string username, CancellationToken ct = default)
    {
        (group, username) = (IdentityRules.Group(group), IdentityRules.Username(username));
        var added = await database.WriteAsync((c, t) =>
        {
            if (!Exists(c, t, username)) return false;
            Exec(c, t, "INSERT INTO user_groups (group_name, username) VALUES (@g, @u) ON CONFLICT (group_name, username) DO NOTHING", ("@g", group), ("@u", username));
            return true;
        }, ct).ConfigureAwait(false);
        if (!added) throw NoUser(username);
    }

    public async Task<bool> RemoveFromGroupAsync(string group, string username, CancellationToken ct = default)
    {
        (group, username) = (IdentityRules.Group(group), IdentityRules.Username(username));
        return await database.WriteAsync((c, t) => Exec(c, t, "DELETE FROM user_groups WHERE group_name = @g AND username = @u", ("@g", group), ("@u", username)), ct).ConfigureAwait(false) > 0;
    }

    public async Task<ApiToken> CreateTokenAsync(NewApiToken token, CancellationToken ct = default)
    {
        IdentityRules.Username(token.Username);
        if (string.IsNullOrWhiteSpace(token.Name) || token.Name.Length > MaxTokenNameLength || token.Name.Any(char.IsControl))
            throw CairnException.InvalidParameter($"A token name must have 1 to {MaxTokenNameLength} printable characters.");
        if (token.Id is not { Length: > 0 and <= 64 } || !token.Id.All(char.IsAsciiLetterOrDigit)) throw CairnException.InvalidParameter("A token id must be 1 to 64 letters or digits.");
        var now = Now;
        if (token.ExpiryTime is { } expiry && expiry <= now) throw CairnException.InvalidParameter("A token's expiry must be in the future.");
        var created = await database.WriteAsync((c, t) =>
        {
            if (!Exists(c, t, token.Username)) return false;
            Exec(c, t, $"INSERT INTO api_tokens (token_id, secret_hash, username, name, creation_time, expiry_time, revoked_time) VALUES (@id, @h, @u, @n, @now, @e, NULL)",
                ("@id", token.Id), ("@h", token.SecretHash), ("@u", token.Username), ("@n", token.Name), ("@now", now), ("@e", token.ExpiryTime));
            return true;
        }, ct).ConfigureAwait(false);
        if (!created) throw NoUser(token.Username);
        using var read = database.Open();
        return ReadTokens(read, "WHERE token_id = @id", ("@id", token.Id)).Single();
    }

    public Task<ApiToken?> FindTokenAsync(string secretHash, CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult(ReadTokens(c, "WHERE secret_hash = @h", ("@h", secretHash)).SingleOrDefault());
    }

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(string? username = null, CancellationToken ct = default)
    {
        using var c = database.Open();
        const string order = "ORDER BY creation_time DESC, token_id";
        return Task.FromResult<IReadOnlyList<ApiToken>>(username is null
            ? ReadTokens(c, order)
            : ReadTokens(c, $"WHERE username = @u {order}", ("@u", IdentityRules.Username(username))));
    }

    public async Task<ApiToken> RevokeTokenAsync(string tokenId, CancellationToken ct = default)
    {
        var now = Now;
        await database.WriteAsync((c, t) => Exec(c, t, "UPDATE api_tokens SET revoked_time = @now WHERE token_id = @id AND revoked_time IS NULL", ("@now", now), ("@id", tokenId)), ct).ConfigureAwait(false);
        using var read = database.Open();
        return ReadTokens(read, "WHERE token_id = @id", ("@id", tokenId)).SingleOrDefault()
            ?? throw CairnException.NotFound($"There is no API token '{tokenId}' (see `cairn tokens list`).");
    }

    public async Task SetPermissionAsync(ResourcePermission permission, CancellationToken ct = default)
    {
        var (type, id, principal) = Checked(permission.ResourceType, permission.ResourceId, permission.Principal);
        var (kind, name) = IdentityRules.Principal(principal);
        var set = await database.WriteAsync((c, t) =>
        {
            if (kind == "user" && !Exists(c, t, name)) return false;
            Exec(c, t, """
                INSERT INTO resource_permissions (resource_type, resource_id, principal, permission) VALUES (@t, @r, @p, @perm)
                ON CONFLICT (resource_type, resource_id, principal) DO UPDATE SET permission = excluded.permission
                """, ("@t", type), ("@r", id), ("@p", principal), ("@perm", permission.Permission.Name()));
            return true;
        }, ct).ConfigureAwait(false);
        if (!set) throw NoUser(name);
    }

    public Task<ResourcePermission?> GetPermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default)
    {
        var (type, id, who) = Checked(resourceType, resourceId, principal);
        using var c = database.Open();
        return Task.FromResult(ReadPermissions(c, "WHERE resource_type = @t AND resource_id = @r AND principal = @p", ("@t", type), ("@r", id), ("@p", who)).SingleOrDefault());
    }

    public Task<IReadOnlyList<ResourcePermission>> ListPermissionsAsync(string? resourceType = null, string? resourceId = null, string? principal = null, CancellationToken ct = default)
    {
        var filters = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string column, string name, string? value)
        {
            if (value is null) return;
            filters.Add($"{column} = {name}");
            parameters.Add((name, value));
        }
        Filter("resource_type", "@t", resourceType is null ? null : IdentityRules.ResourceType(resourceType));
        Filter("resource_id", "@r", resourceId);
        Filter("principal", "@p", principal is null ? null : Principal(principal));
        using var c = database.Open();
        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        return Task.FromResult<IReadOnlyList<ResourcePermission>>(ReadPermissions(c, $"{where} ORDER BY resource_type, resource_id, principal", [.. parameters]));
    }

    public async Task<bool> DeletePermissionAsync(string resourceType, string resourceId, string principal, CancellationToken ct = default)
    {
        var (type, id, who) = Checked(resourceType, resourceId, principal);
        return await database.WriteAsync((c, t) => Exec(c, t, "DELETE FROM resource_permissions WHERE resource_type = @t AND resource_id = @r AND principal = @p",
            ("@t", type), ("@r", id), ("@p", who)), ct).ConfigureAwait(false) > 0;
    }

    private static (string Type, string Id, string Principal) Checked(string type, string id, string principal)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 256) throw CairnException.InvalidParameter("A resource id must have 1 to 256 characters.");
        return (IdentityRules.ResourceType(type), id, Principal(principal));
    }

    private static string Principal(string principal)
    {
        var (kind, name) = IdentityRules.Principal(principal);
        return kind + ":" + name;
    }

    private static bool Exists(DbConnection c, DbTransaction? t, string username) =>
        ScalarLong(c, t, "SELECT COUNT(*) FROM users WHERE username = @u", ("@u", username)) > 0;

    private static List<UserAccount> ReadUsers(DbConnection c, string where, params (string, object?)[] parameters)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using (var g = Command(c, null, $"SELECT g.username, g.group_name FROM user_groups g JOIN users u ON u.username = g.username {where} ORDER BY g.group_name", parameters))
        using (var r = g.ExecuteReader())
            while (r.Read())
            {
                if (!groups.TryGetValue(r.GetString(0), out var list)) groups[r.GetString(0)] = list = [];
                list.Add(r.GetString(1));
            }
        using var command = Command(c, null, $"SELECT u.user_id, u.username, u.is_admin, u.creation_time FROM users u {where} ORDER BY u.username", parameters);
        using var reader = command.ExecuteReader();
        var users = new List<UserAccount>();
        while (reader.Read())
            users.Add(new UserAccount(reader.GetInt64(0), reader.GetString(1), Convert.ToInt64(reader.GetValue(2)) != 0, reader.GetInt64(3),
                groups.GetValueOrDefault(reader.GetString(1)) ?? []));
        return users;
    }

    private static List<ApiToken> ReadTokens(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {TokenColumns} FROM api_tokens {where}", parameters);
        using var r = command.ExecuteReader();
        var tokens = new List<ApiToken>();
        while (r.Read())
            tokens.Add(new ApiToken(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt64(5)));
        return tokens;
    }

    private static List<ResourcePermission> ReadPermissions(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT resource_type, resource_id, principal, permission FROM resource_permissions {where}", parameters);
        using var r = command.ExecuteReader();
        var permissions = new List<ResourcePermission>();
        while (r.Read()) permissions.Add(new ResourcePermission(r.GetString(0), r.GetString(1), r.GetString(2), Permissions.Parse(r.GetString(3))));
        return permissions;
    }
}
