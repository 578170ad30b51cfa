using Cairn.Monitoring.Tests.EndToEnd;
using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Monitoring.Tests.Rest;

/// <summary>
/// A real Cairn server (Kestrel on 127.0.0.1, a free port) over the points workspace's store, as
/// <c>cairn server --backend-store-uri</c> would open it, with the monitor endpoints on; the tests
/// are remote users of it.
/// </summary>
public sealed class RemoteMonitorServer : IAsyncDisposable
{
    private readonly SqliteStores _stores;
    private readonly WebApplication _app;

    public MonitoredPoints Points { get; }
    public string Url { get; }
    public HttpClient Http { get; }

    private RemoteMonitorServer(MonitoredPoints points, SqliteStores stores, WebApplication app)
    {
        Points = points;
        _stores = stores;
        _app = app;
        Url = app.BoundAddress().ToString().TrimEnd('/');
        Http = new HttpClient { BaseAddress = app.BoundAddress() };
    }

    public static async Task<RemoteMonitorServer> StartAsync()
    {
        var points = await MonitoredPoints.CreateAsync();
        var location = (EmbeddedLocation)TrackingUri.Parse(points.Store);
        var stores = new SqliteStores(location.DatabasePath);
        var artifacts = new LocalArtifactStore(location.ArtifactRoot);
        var app = CairnServer.Build(new CairnServerOptions(stores.Tracking, artifacts, stores.Registry, stores.Datasets)
        {
            Port = 0, Schedules = stores.Schedules, Monitors = stores.Monitors,
        });
        await app.StartAsync();
        return new RemoteMonitorServer(points, stores, app);
    }

    /// <summary>The CLI run as a remote user: <c>cairn --tracking-uri http://127.0.0.1:PORT ...</c>.</summary>
    public Task<(int Exit, string Out, string Err)> Cli(params string[] args) => MonitoredPoints.Cli(["--tracking-uri", Url, .. args]);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stores.Dispose();
        await Points.DisposeAsync();
    }
}
