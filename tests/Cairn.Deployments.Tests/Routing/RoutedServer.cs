using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Deployments.Routing;
using Cairn.Server;
using Cairn.Serving;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Deployments.Tests.Routing;

/// <summary>An endpoint's router behind the real model server on 127.0.0.1 (a free port), and a client to it.</summary>
public sealed class RoutedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public HttpClient Http { get; }

    private RoutedServer(WebApplication app)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = app.BoundAddress() };
    }

    public static async Task<RoutedServer> StartAsync(IServingTarget target, InferenceLog? log = null, Action<WebApplication>? map = null)
    {
        var app = ModelServer.Build(new ModelServerOptions(target) { Port = 0, Log = log });
        map?.Invoke(app);
        await app.StartAsync();
        return new RoutedServer(app);
    }

    /// <summary>One OIP v2 request of one row; returns the version that answered and the probability, or throws on a non-2xx.</summary>
    public async Task<(string Version, double Probability)> InferAsync(string endpoint, double x, string? user = null, string? version = null, string? requestId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, version is null ? $"/v2/models/{endpoint}/infer" : $"/v2/models/{endpoint}/versions/{version}/infer")
        {
            Content = JsonContent.Create(new { id = requestId, inputs = new[] { new { name = "X", shape = new[] { 1 }, datatype = "FP64", data = new[] { x } } } }),
        };
        if (user is not null) request.Headers.Add("X-User-Id", user);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode}: {body}", null, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("model_version").GetString()!, json.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetDouble());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
