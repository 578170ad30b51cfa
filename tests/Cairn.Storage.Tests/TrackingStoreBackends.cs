using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>The contract on a real SQLite file.</summary>
public sealed class SqliteTrackingStoreContract : TrackingStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteTrackingStore? _store;

    protected override Task<ITrackingStore> OpenStoreAsync()
    {
        _store = new SqliteTrackingStore(_folder.File("cairn.db"));
        return Task.FromResult<ITrackingStore>(_store);
    }

    protected override Task CloseStoreAsync()
    {
        _store?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The contract through the REST client, against a real server over a socket.</summary>
public sealed class RestTrackingStoreContract : TrackingStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<ITrackingStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestTrackingStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The contract on a real PostgreSQL server (a fresh database per test).</summary>
public sealed class PostgresTrackingStoreContract : TrackingStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<ITrackingStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Tracking;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}
