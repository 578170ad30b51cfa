using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sql;
using Cairn.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Testing;

/// <summary>
/// A real Cairn server on Kestrel, bound to 127.0.0.1 on a free port, backed by a SQLite file and
/// a local artifact folder in a temp dir; tests talk to it over a socket.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly WebApplication _app;

    public SqlTrackingStore Store => Stores.Tracking;
    public SqlRegistryStore Registry => Stores.Registry;
    public SqliteStores Stores { get; }
    public LocalArtifactStore Artifacts { get; }
    public Uri BaseUri { get; }
    public HttpClient Http { get; }
    public string Folder => _folder.Path;

    private RunningServer(TempFolder folder, SqliteStores stores, LocalArtifactStore artifacts, WebApplication app)
    {
        _folder = folder;
        Stores = stores;
        Artifacts = artifacts;
        _app = app;
        BaseUri = app.BoundAddress();
        Http = new HttpClient { BaseAddress = BaseUri };
    }

    /// <summary>Starts a server; <paramref name="configure"/> changes its options (the port stays 0).</summary>
    public static Task<RunningServer> StartAsync(Func<CairnServerOptions, CairnServerOptions>? configure = null) =>
        StartAsync((options, _) => configure?.Invoke(options) ?? options);

    /// <summary>Starts a server; <paramref name="configure"/> changes its options and may use its stores (the port stays 0).</summary>
    public static async Task<RunningServer> StartAsync(Func<CairnServerOptions, SqliteStores, CairnServerOptions> configure)
    {
        var folder = new TempFolder();
        var stores = new SqliteStores(folder.File("cairn.db"));
        var artifacts = new LocalArtifactStore(folder.File("artifacts"));
        var options = new CairnServerOptions(stores.Tracking, artifacts, stores.Registry, stores.Datasets) { Port = 0, Schedules = stores.Schedules, Monitors = stores.Monitors, Endpoints = stores.Endpoints, Features = stores.Features, LoggedModels = stores.LoggedModels };
        var app = CairnServer.Build(configure(options, stores) with { Port = 0 });
        await app.StartAsync();
        return new RunningServer(folder, stores, artifacts, app);
    }

    /// <summary>An SDK client that talks to this server over HTTP.</summary>
    public CairnClient Client() => CairnClient.Open(BaseUri.ToString());

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Stores.Dispose();
        _folder.Dispose();
    }
}
