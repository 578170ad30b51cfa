using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Cairn.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Monitoring.Tests.Alerts;

/// <summary>A real HTTP listener on 127.0.0.1:0 that records every POST; paths under /fail answer 500.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string ContentType, JsonElement Body);

    private readonly WebApplication _app;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseUri => _app.BoundAddress();

    public Uri Url(string path) => new(BaseUri, path);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            await receiver._received.Writer.WriteAsync(new Received(http.Request.Path, http.Request.ContentType ?? "", body.RootElement.Clone()));
            return http.Request.Path.StartsWithSegments("/fail") ? Results.StatusCode(500) : Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>The next received POST that <paramref name="match"/> accepts (others are skipped), within <paramref name="timeout"/>.</summary>
    public async Task<Received> NextAsync(Func<Received, bool> match, TimeSpan timeout, Func<string>? whatElse = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var received = await _received.Reader.ReadAsync(cts.Token);
                if (match(received)) return received;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching POST within {timeout}. {whatElse?.Invoke()}");
        }
    }

    public IReadOnlyList<Received> Drain()
    {
        var all = new List<Received>();
        while (_received.Reader.TryRead(out var r)) all.Add(r);
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
