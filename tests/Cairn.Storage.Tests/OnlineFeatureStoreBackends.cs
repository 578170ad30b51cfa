using Cairn.Features;
using Cairn.Storage.Redis;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>The online store contract on a real SQLite file.</summary>
public sealed class SqliteOnlineFeatureStoreContract : OnlineFeatureStoreContract
{
    private readonly TempFolder _folder = new();

    protected override Task<IOnlineFeatureStore> OpenStoreAsync() =>
        Task.FromResult<IOnlineFeatureStore>(new SqliteOnlineFeatureStore(_folder.File("online.db")));

    protected override Task CloseStoreAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Skips a suite where no <c>redis-server</c> is installed, saying so.</summary>
public sealed class RequiresRedisAttribute : BackendRequirementAttribute
{
    public override string? Unavailable => RedisServer.Unavailable;
}

/// <summary>The online store contract on a real redis-server (127.0.0.1, free port), each test under its own key prefix.</summary>
[RequiresRedis]
public sealed class RedisOnlineFeatureStoreContract : OnlineFeatureStoreContract
{
    protected override async Task<IOnlineFeatureStore> OpenStoreAsync() =>
        await RedisOnlineFeatureStore.ConnectAsync(RedisServer.Instance.Uri, $"cairn:test:{Guid.NewGuid():N}:");

    protected override Task CloseStoreAsync() => Task.CompletedTask;
}
