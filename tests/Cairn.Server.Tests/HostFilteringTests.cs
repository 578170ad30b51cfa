using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// DNS rebinding: a page on attacker.example whose name is re-pointed at 127.0.0.1 reaches the
/// server with <c>Host: attacker.example</c>. The server answers only the hosts it knows it is.
/// </summary>
public partial class HostFilteringTests
{
    private const string ExperimentName = "secret-experiment";

    private static async Task<RunningServer> StartWithDataAsync(Func<CairnServerOptions, CairnServerOptions>? configure = null)
    {
        var server = await RunningServer.StartAsync(configure);
        await server.Store.CreateExperimentAsync(ExperimentName);
        return server;
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendAsync(HttpClient http, string path, string? host, HttpMethod? method = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (host is not null) request.Headers.Host = host;
        if (origin is not null) request.Headers.Add("Origin", origin);
        var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Theory]
    [InlineData("/api/2.0/mlflow/experiments/search?max_results=10")]
    [InlineData("/")]
    [InlineData("/health")]
    public async Task Request_ForeignHostHeader_Is403PermissionDeniedSayingHowToAllowIt(string path)
    {
        await using var server = await StartWithDataAsync();

        var (status, body, response) = await SendAsync(server.Http, path, "attacker.example:5111");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(body)!;
        Assert.Equal("PERMISSION_DENIED", Json.Str(error["error_code"]));
        var message = Json.Str(error["message"]);
        Assert.Contains("attacker.example", message);
        Assert.Contains("--allowed-hosts", message);
        Assert.DoesNotContain(ExperimentName, body);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("LOCALHOST")]
    public async Task Request_LoopbackHostNames_AreAnsweredOnAnyPort(string name)
    {
        await using var server = await StartWithDataAsync();

        foreach (var host in new[] { name, $"{name}:{server.BaseUri.Port}", $"{name}:80" })
        {
            var (status, body, _) = await SendAsync(server.Http, "/api/2.0/mlflow/experiments/search?max_results=10", host);
            Assert.True(status == HttpStatusCode.OK, $"Host: {host} got {(int)status}: {body}");
            Assert.Contains(ExperimentName, body);
        }
    }

    [Fact]
    public async Task Request_HostOfTheLoopbackNameWithASuffix_IsRefused()
    {
        await using var server = await StartWithDataAsync();

        foreach (var host in new[] { "localhost.attacker.example", "127.0.0.1.nip.io", "127.0.0.2" })
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(server.Http, "/health", host)).Status);
    }

    [Fact]
    public async Task ApiResponses_IncludingErrors_CarryNosniff()
    {
        await using var server = await StartWithDataAsync();

        foreach (var path in new[] { "/api/2.0/mlflow/experiments/search?max_results=10", "/api/2.0/mlflow/runs/get?run_id=0123456789abcdef0123456789abcdef", "/api/2.0/mlflow/nothing-here" })
        {
            using var response = await server.Http.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Fact]
    public async Task Request_WithAnOriginAndNoCorsOrigins_GetsNoCorsHeaders()
    {
        await using var server = await StartWithDataAsync();

        var (_, _, get) = await SendAsync(server.Http, "/api/2.0/mlflow/experiments/search?max_results=10", null, origin: "https://a.example");
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/2.0/mlflow/runs/create");
        preflight.Headers.Add("Origin", "https://a.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var answer = await server.Http.SendAsync(preflight);

        Assert.DoesNotContain(get.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(answer.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Request_HostInAllowedHosts_IsAnsweredAndOthersStillRefused()
    {
        await using var server = await StartWithDataAsync(o => o with { AllowedHosts = ["cairn.internal", "*.models.example"] });

        foreach (var host in new[] { "cairn.internal:5000", "CAIRN.internal", "api.models.example:443", "localhost" })
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(server.Http, "/health", host)).Status);
        var (status, body, _) = await SendAsync(server.Http, "/health", "attacker.example");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("cairn.internal", body); // the refusal lists what is allowed
    }

    [Fact]
    public async Task Request_AllowedHostsStar_AnswersAnyHost()
    {
        await using var server = await StartWithDataAsync(o => o with { AllowedHosts = ["*"] });

        var (status, body, _) = await SendAsync(server.Http, "/api/2.0/mlflow/experiments/search?max_results=10", "attacker.example:5111");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(ExperimentName, body);
    }

    /// <summary>127.0.0.2 is a loopback address on Linux, but not a name the server knows by default.</summary>
    private static async Task<HttpStatusCode> StatusViaAsync(RunningServer server, string connectTo, string host)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{connectTo}:{server.BaseUri.Port}") };
        return (await SendAsync(http, "/health", host)).Status;
    }

    [Fact]
    public async Task Request_ServerBoundToAnAddress_AnswersThatAddressAsHost()
    {
        await using var server = await StartWithDataAsync(o => o with { Host = "127.0.0.2" });

        Assert.Equal(HttpStatusCode.OK, await StatusViaAsync(server, "127.0.0.2", $"127.0.0.2:{server.BaseUri.Port}"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusViaAsync(server, "127.0.0.2", "127.0.0.3"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusViaAsync(server, "127.0.0.2", "attacker.example"));
    }

    [Fact]
    public async Task Request_ServerBoundToAllAddresses_AnswersTheAddressItWasReachedOn()
    {
        await using var server = await StartWithDataAsync(o => o with { Host = "0.0.0.0" });

        Assert.Equal(HttpStatusCode.OK, await StatusViaAsync(server, "127.0.0.2", "127.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, await StatusViaAsync(server, "127.0.0.1", "localhost"));
        // Another of the machine's addresses, asked for over a connection to this one: refused.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusViaAsync(server, "127.0.0.3", "127.0.0.2"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusViaAsync(server, "127.0.0.2", "attacker.example"));
    }

    [Fact]
    public async Task Preflight_FromAConfiguredCorsOrigin_IsAllowedAndOtherOriginsAreNot()
    {
        await using var server = await StartWithDataAsync(o => o with { CorsOrigins = ["https://a.example", "https://B.example/"] });

        foreach (var origin in new[] { "https://a.example", "https://b.example" })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/2.0/mlflow/runs/create");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
            using var answer = await server.Http.SendAsync(preflight);
            Assert.True(answer.IsSuccessStatusCode, $"preflight from {origin}: {(int)answer.StatusCode}");
            Assert.Equal(origin, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());

            var (status, body, get) = await SendAsync(server.Http, "/api/2.0/mlflow/experiments/search?max_results=10", null, origin: origin);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains(ExperimentName, body);
            Assert.Equal(origin, get.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        var (_, _, other) = await SendAsync(server.Http, "/api/2.0/mlflow/experiments/search?max_results=10", null, origin: "https://c.example");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ServerCommand_AllowedHostsAndCorsOrigins_CommaSeparatedOrRepeated_AreApplied()
    {
        using var folder = new TempFolder();
        using var process = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", folder.File("store"),
            "--allowed-hosts", "cairn.internal,api.internal", "--allowed-hosts", "other.internal", "--cors-origins", "https://a.example"]);
        var line = await process.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(line).Groups[1].Value) };

        foreach (var host in new[] { "cairn.internal", "api.internal:8443", "other.internal", "localhost" })
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, "/health", host)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, "/health", "attacker.example")).Status);
        var (_, _, cors) = await SendAsync(http, "/health", null, origin: "https://a.example");
        Assert.Equal("https://a.example", cors.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
