namespace Cairn.Storage.Sql;

/// <summary>The identity tables (users, groups, API tokens, permissions), one text for SQLite and PostgreSQL.</summary>
/// <remarks>
/// A user's id is <c>MAX + 1</c> under the primary key (racing creations on PostgreSQL: one fails and
/// can be retried). Tokens are found by the SHA-256 of their secret, so that column is unique.
/// </remarks>
public static class SecuritySchema
{
    /// <summary>What the migration adds, as the schema history shows it.</summary>
    public const string Description = "security: users, groups, API tokens and per-resource permissions";

    /// <summary>The migration.</summary>
    public const string Sql = """
        CREATE TABLE users (
            user_id BIGINT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            is_admin BIGINT NOT NULL,
            creation_time BIGINT NOT NULL);
        CREATE TABLE user_groups (
            group_name TEXT NOT NULL,
            username TEXT NOT NULL,
            PRIMARY KEY (group_name, username));
        CREATE INDEX ix_user_groups_user ON user_groups (username);
        CREATE TABLE api_tokens (
            token_id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            username TEXT NOT NULL,
            name TEXT NOT NULL,
            creation_time BIGINT NOT NULL,
            expiry_time BIGINT,
            revoked_time BIGINT);
        CREATE INDEX ix_api_tokens_user ON api_tokens (username);
        CREATE TABLE resource_permissions (
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            principal TEXT NOT NULL,
            permission TEXT NOT NULL,
            PRIMARY KEY (resource_type, resource_id, principal));
        CREATE INDEX ix_resource_permissions_principal ON resource_permissions (principal);
        """;
}
