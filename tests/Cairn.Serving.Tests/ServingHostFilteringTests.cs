using System.Net;
using System.Text.Json.Nodes;
using Cairn.Models;

namespace Cairn.Serving.Tests;

/// <summary>
/// The model server on a laptop is as open to DNS rebinding as the API server: it answers only
/// the hosts it knows it has, with the same --allowed-hosts and --cors-origins.
/// </summary>
public class ServingHostFilteringTests
{
    /// <summary>Scores every row as 1: these tests are about the requests, not the model.</summary>
    private sealed class ConstantPredictor : IModelPredictor
    {
        public string Flavor => "test";
        public ModelSignature Signature { get; } = new([new ColumnSpec("X", "float")], [new ColumnSpec("Score", "float")]);

        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
            rows.Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["Score"] = 1f }).ToList();

        public void Dispose() { }
    }

    private static async Task<(StartedModelServer Server, ModelHost Host)> StartAsync(Func<ModelServerOptions, ModelServerOptions>? configure = null)
    {
        var host = new ModelHost(new ServedModel("constant", "1", new ConstantPredictor()));
        var options = new ModelServerOptions(host);
        return (await StartedModelServer.StartAsync(configure?.Invoke(options) ?? options), host);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? host, string? body = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (host is not null) request.Headers.Host = host;
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        return await http.SendAsync(request);
    }

    [Theory]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/v2/models/constant")]
    [InlineData("POST", "/invocations")]
    public async Task Request_ForeignHostHeader_Is403PermissionDenied(string method, string path)
    {
        var (server, host) = await StartAsync();
        await using var _ = server;
        await using var __ = host;

        using var response = await SendAsync(server.Http, new HttpMethod(method), path, "attacker.example:8080", """{"instances": [0.5]}""");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("PERMISSION_DENIED", error["error_code"]!.GetValue<string>());
        Assert.Contains("--allowed-hosts", error["message"]!.GetValue<string>());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Request_LoopbackOrAllowedHost_IsScored()
    {
        var (server, host) = await StartAsync(o => o with { AllowedHosts = ["model.internal"] });
        await using var _ = server;
        await using var __ = host;

        foreach (var name in new[] { "localhost:8080", "127.0.0.1", "model.internal:443" })
        {
            using var response = await SendAsync(server.Http, HttpMethod.Post, "/invocations", name, """{"instances": [0.5]}""");
            Assert.True(response.IsSuccessStatusCode, $"Host: {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Request_WithCorsOrigins_GetsCorsHeadersOnlyForThem()
    {
        var (server, host) = await StartAsync(o => o with { CorsOrigins = ["https://app.example"] });
        await using var _ = server;
        await using var __ = host;

        using var allowed = await SendAsync(server.Http, HttpMethod.Post, "/invocations", null, """{"instances": [0.5]}""", "https://app.example");
        using var other = await SendAsync(server.Http, HttpMethod.Post, "/invocations", null, """{"instances": [0.5]}""", "https://other.example");

        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
