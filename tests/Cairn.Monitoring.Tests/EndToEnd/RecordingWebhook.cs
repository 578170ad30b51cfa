using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Monitoring.Tests.EndToEnd;

/// <summary>A real HTTP endpoint on 127.0.0.1 that records the bodies POSTed to it.</summary>
public sealed class RecordingWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<string> Bodies { get; } = new();
    public string Url { get; private set; } = "";

    private RecordingWebhook()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            Bodies.Enqueue(await reader.ReadToEndAsync());
            return Results.Ok();
        });
    }

    public static async Task<RecordingWebhook> StartAsync()
    {
        var hook = new RecordingWebhook();
        await hook._app.StartAsync();
        hook.Url = hook._app.Urls.First().TrimEnd('/') + "/hook";
        return hook;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
