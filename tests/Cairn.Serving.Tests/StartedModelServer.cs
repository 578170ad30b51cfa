using Cairn.Server;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Serving.Tests;

/// <summary>A model server started on Kestrel (127.0.0.1, a free port) and an HttpClient to it.</summary>
internal sealed class StartedModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public HttpClient Http { get; }

    private StartedModelServer(WebApplication app)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = app.BoundAddress() };
    }

    public static async Task<StartedModelServer> StartAsync(ModelServerOptions options)
    {
        var app = ModelServer.Build(options with { Port = 0 });
        await app.StartAsync();
        return new StartedModelServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
