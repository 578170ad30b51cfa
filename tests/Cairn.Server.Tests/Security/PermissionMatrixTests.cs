using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// Every endpoint × anonymous, outsider, reader, editor, manager and admin, over real sockets to
/// two servers sharing one database: each role is allowed or refused (401 UNAUTHENTICATED, 403
/// PERMISSION_DENIED) as <see cref="PermissionMatrix"/> says.
/// </summary>
public abstract class PermissionMatrixTests : IAsyncLifetime
{
    private AuthServers _servers = null!;

    private protected abstract Task<AuthServers> StartAsync();

    public async Task InitializeAsync() => _servers = await StartAsync();

    public async Task DisposeAsync() => await _servers.DisposeAsync();

    private static readonly string[] Served = ["/api/", "/ajax-api/", "/get-online-features", "/metrics", "/health", "/version", "/openapi/"];

    /// <summary>Every endpoint the servers map (but the web UI's pages), as method and route pattern.</summary>
    private IReadOnlyList<(string Method, string Pattern, Endpoint Endpoint)> ApiEndpoints() =>
        _servers.Apps[0].Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } p && Served.Any(p.StartsWith) && p != "/api/{**rest}")
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern.RawText!, (Endpoint)e)))
            .ToList();

    private static MatrixRow? RowFor(string method, string pattern) =>
        PermissionMatrix.Rows.FirstOrDefault(r => r.Method == method && r.Pattern == pattern)
        ?? (PermissionMatrix.SharedPrefixes.Any(pattern.StartsWith) ? PermissionMatrix.Shared(method, pattern) : null);

    [Fact]
    public void EveryEndpoint_HasAnAccessRule_AndARowInTheMatrix()
    {
        var endpoints = ApiEndpoints();
        Assert.True(endpoints.Count > 100, $"only {endpoints.Count} endpoints found");
        Assert.Empty(endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<AccessRule>() is null).Select(e => $"{e.Method} {e.Pattern}"));
        Assert.Empty(endpoints.Where(e => RowFor(e.Method, e.Pattern) is null).Select(e => $"{e.Method} {e.Pattern}"));
        // And no row names an endpoint that is not there (a typo would test nothing).
        Assert.Empty(PermissionMatrix.Rows.Where(r => r.Pattern != "/" && !endpoints.Any(e => e.Method == r.Method && e.Pattern == r.Pattern)).Select(r => $"{r.Method} {r.Pattern}"));
    }

    [Fact]
    public async Task EachRole_IsAllowedOrRefused_AsTheMatrixSays()
    {
        var wrong = new List<string>();
        var rows = ApiEndpoints().Select(e => RowFor(e.Method, e.Pattern)!).Append(PermissionMatrix.Rows.Single(r => r.Pattern == "/")).ToList();
        foreach (var row in rows)
        {
            var fixture = await FixtureAsync();
            foreach (var role in Enum.GetValues<Role>())
            {
                if (row.FixturePerRole && role > Role.Anonymous) fixture = await FixtureAsync();
                var (path, json) = row.Request(fixture);
                var (status, body) = await _servers.SendAsync(role, row.Method, path, json);
                var allowed = status is not (401 or 403);
                var code = body?["error_code"]?.GetValue<string>();
                if (allowed != role >= row.Least)
                    wrong.Add($"{row.Method} {path} as {role}: {status} {code} (expected {(role >= row.Least ? "allowed" : "refused")})");
                else if (!allowed && code != (status == 401 ? AuthenticationMiddleware.Unauthenticated : ErrorCodes.PermissionDenied) && row.Pattern != "/")
                    wrong.Add($"{row.Method} {path} as {role}: {status} with error code {code}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>An experiment with a run and a logged model, a registered model with version 1, and the roles' permissions on both.</summary>
    private async Task<MatrixFixture> FixtureAsync()
    {
        var name = MatrixFixture.Unique("exp");
        var experiment = (await _servers.AdminAsync("POST", "/api/2.0/mlflow/experiments/create", $$"""{"name": "{{name}}"}"""))["experiment_id"]!.GetValue<string>();
        var run = (await _servers.AdminAsync("POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{experiment}}"}"""))["run"]!["info"]!["run_id"]!.GetValue<string>();
        var model = MatrixFixture.Unique("model");
        await _servers.AdminAsync("POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{model}}"}""");
        await _servers.AdminAsync("POST", "/api/2.0/mlflow/model-versions/create", $$"""{"name": "{{model}}", "source": "runs:/{{run}}/model", "run_id": "{{run}}"}""");
        var logged = (await _servers.AdminAsync("POST", "/api/2.0/mlflow/logged-models", $$"""{"experiment_id": "{{experiment}}", "name": "m"}"""))["model"]!["info"]!["model_id"]!.GetValue<string>();
        await _servers.GrantRolesAsync(ResourceTypes.Experiment, experiment);
        await _servers.GrantRolesAsync(ResourceTypes.RegisteredModel, model);
        return new MatrixFixture(experiment, name, run, model, logged);
    }
}

public sealed class SqlitePermissionMatrixTests : PermissionMatrixTests
{
    private protected override Task<AuthServers> StartAsync() => AuthServers.SqliteAsync();
}

public sealed class PostgresPermissionMatrixTests : PermissionMatrixTests
{
    private protected override Task<AuthServers> StartAsync() => AuthServers.PostgresAsync();
}
