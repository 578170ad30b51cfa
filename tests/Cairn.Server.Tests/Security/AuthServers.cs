using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Features;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Storage.Local;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Server.Tests.Security;

/// <summary>Who sends a request in the permission tests, least to most allowed.</summary>
public enum Role { Anonymous, Outsider, Reader, Editor, Manager, Admin }

/// <summary>
/// Two servers with --auth over one database (SQLite file or PostgreSQL), each on its own stores
/// and port, and the users of <see cref="Role"/>; requests alternate between them.
/// </summary>
internal sealed class AuthServers : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly List<IDisposable> _stores;
    private readonly List<WebApplication> _apps;
    private readonly List<HttpClient> _clients;
    private readonly List<IAsyncDisposable> _online;
    private int _next;

    private AuthServers(TempFolder folder, List<IDisposable> stores, List<WebApplication> apps, List<IAsyncDisposable> online, IIdentityStore identity)
    {
        (_folder, _stores, _apps, _online, Identity) = (folder, stores, apps, online, identity);
        _clients = apps.Select(a => new HttpClient { BaseAddress = a.BoundAddress() }).ToList();
    }

    public IIdentityStore Identity { get; }

    public IReadOnlyList<WebApplication> Apps => _apps;

    /// <summary>The stores one server is given, whichever the database.</summary>
    private sealed record Stores(IDisposable Owner, Cairn.Tracking.ITrackingStore Tracking, Cairn.Registry.IRegistryStore Registry, Cairn.Data.IDatasetStore Datasets,
        Cairn.Pipelines.IPipelineScheduleStore Schedules, Cairn.Monitoring.IMonitorStore Monitors, Cairn.Deployments.IEndpointStore Endpoints,
        Cairn.Features.IFeatureDefinitionStore Features, Cairn.Tracking.ILoggedModelStore LoggedModels, IIdentityStore Identity, IAuditStore Audit);

    public static Task<AuthServers> SqliteAsync(Permission defaultPermission = Permission.Read)
    {
        var folder = new TempFolder();
        Stores Open()
        {
            var s = new SqliteStores(folder.File("cairn.db"));
            return new(s, s.Tracking, s.Registry, s.Datasets, s.Schedules, s.Monitors, s.Endpoints, s.Features, s.LoggedModels, s.Identity, s.Audit);
        }
        return StartAsync(folder, [Open(), Open()], defaultPermission);
    }

    public static async Task<AuthServers> PostgresAsync()
    {
        var database = PostgresServer.Instance.NewDatabase();
        async Task<Stores> Open()
        {
            var s = await PostgresStores.OpenAsync(database);
            return new(s, s.Tracking, s.Registry, s.Datasets, s.Schedules, s.Monitors, s.Endpoints, s.Features, s.LoggedModels, s.Identity, s.Audit);
        }
        return await StartAsync(new TempFolder(), [await Open(), await Open()], Permission.Read);
    }

    private static async Task<AuthServers> StartAsync(TempFolder folder, List<Stores> stores, Permission defaultPermission)
    {
        var apps = new List<WebApplication>();
        var online = new List<IAsyncDisposable>();
        IIdentityStore? first = null;
        foreach (var d in stores)
        {
            var identity = d.Identity;
            first ??= identity;
            var onlineStore = new SqliteOnlineFeatureStore(folder.File($"online-{apps.Count}.db"));
            online.Add(onlineStore);
            var options = new CairnServerOptions(d.Tracking, new LocalArtifactStore(folder.File("artifacts")), d.Registry, d.Datasets)
            {
                Port = 0, Schedules = d.Schedules, Monitors = d.Monitors, Endpoints = d.Endpoints, Features = d.Features, LoggedModels = d.LoggedModels,
                OnlineFeatures = new LocalOnlineFeatureService(d.Features, onlineStore, folder.File($"push-{apps.Count}")),
                Audit = d.Audit,
                Authentication = new ServerAuthentication(new AccountService(identity, new PasswordHasher(1_000)), identity) { DefaultPermission = defaultPermission },
            };
            var app = CairnServer.Build(options);
            await app.StartAsync();
            apps.Add(app);
        }
        var servers = new AuthServers(folder, stores.Select(s => s.Owner).ToList(), apps, online, first!);
        var accounts = new AccountService(first!, new PasswordHasher(1_000));
        foreach (var role in Enum.GetValues<Role>().Where(r => r != Role.Anonymous))
            await accounts.CreateUserAsync(Name(role), Password(role), isAdmin: role == Role.Admin);
        return servers;
    }

    public static string Name(Role role) => role.ToString().ToLowerInvariant();

    private static string Password(Role role) => $"{Name(role)} password 1";

    /// <summary>Sends a request as the role to the next server in turn; the body is JSON text.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(Role role, string method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (role != Role.Anonymous)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Name(role)}:{Password(role)}")));
        var client = _clients[Interlocked.Increment(ref _next) % _clients.Count];
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.StartsWith('{'))
            try { body = JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { }
        return ((int)response.StatusCode, body);
    }

    /// <summary>Sends as the admin and fails the test unless the answer is 200.</summary>
    public async Task<JsonNode> AdminAsync(string method, string path, string? json = null)
    {
        var (status, body) = await SendAsync(Role.Admin, method, path, json);
        if (status != 200) throw new InvalidOperationException($"{method} {path} as admin answered {status}: {body?.ToJsonString()}");
        return body ?? new JsonObject();
    }

    /// <summary>Gives each of outsider, reader, editor and manager their level on the resource.</summary>
    public async Task GrantRolesAsync(string resourceType, string resourceId)
    {
        foreach (var (role, permission) in new[] { (Role.Outsider, Permission.NoPermissions), (Role.Reader, Permission.Read), (Role.Editor, Permission.Edit), (Role.Manager, Permission.Manage) })
            await Identity.SetPermissionAsync(new ResourcePermission(resourceType, resourceId, Principals.User(Name(role)), permission));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        foreach (var online in _online) await online.DisposeAsync();
        foreach (var stores in _stores) stores.Dispose();
        _folder.Dispose();
    }
}
