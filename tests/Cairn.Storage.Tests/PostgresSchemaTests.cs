using Cairn.Storage.Postgres;
using Cairn.Testing;
using Npgsql;

namespace Cairn.Storage.Tests;

/// <summary>Schema migration on a real PostgreSQL server.</summary>
public sealed class PostgresSchemaTests
{
    /// <summary>Servers of a scaled-out deployment start together on a new database: every one must
    /// come up (none may fail on a race to create the schema), and each migration be recorded once.</summary>
    [Fact]
    public async Task ServersOpeningANewDatabaseTogether_AllSucceed()
    {
        for (var round = 0; round < 4; round++)
        {
            var uri = PostgresServer.Instance.NewDatabase();
            // No retry budget: a failed migration must show here, not be hidden by a retry.
            var databases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => PostgresDatabase.OpenAsync(uri, TimeSpan.Zero))));
            foreach (var database in databases) database.Dispose();

            await using var source = NpgsqlDataSource.Create(PostgresDatabase.ConnectionString(uri).ConnectionString);
            await using var connection = await source.OpenConnectionAsync();
            Assert.Equal(PostgresSchema.LatestVersion, await PostgresSchema.CurrentVersionAsync(connection, null));
        }
    }
}
