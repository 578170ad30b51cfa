using System.Net;
using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Deployments;
using Cairn.Features;
using Cairn.Hosting;
using Cairn.Monitoring;
using Cairn.Pipelines;
using Cairn.Registry;
using Cairn.Server.Endpoints;
using Cairn.Server.Security;
using Cairn.Server.Ui;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>What a server serves and where it listens. Stores are passed in, never looked up.</summary>
public sealed record CairnServerOptions(ITrackingStore Tracking, IArtifactStore Artifacts, IRegistryStore Registry, IDatasetStore Datasets)
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port; read it back from <see cref="CairnServer.BoundAddress"/>.</summary>
    public int Port { get; init; } = 5000;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Warning;
    /// <summary>The certificate to answer https with (<c>--tls-cert</c>, <c>--tls-key</c>); null: plain http.</summary>
    public ServerTls? Tls { get; init; }
    /// <summary>Largest API request body; artifact uploads are not limited.</summary>
    public long MaxRequestBodyBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Host names answered besides the loopback ones and the address reached (see <see cref="Cairn.Hosting.AllowedHosts"/>); "*" answers any.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
    /// <summary>Web origins whose pages may call the server from a browser; none: no CORS headers.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];
    /// <summary>Pipeline schedules, triggers and fires; null: no /api/2.0/cairn/pipelines endpoints.</summary>
    public IPipelineScheduleStore? Schedules { get; init; }
    /// <summary>Monitors, their runs and alerts, and feedback labels; null: no /api/2.0/cairn/monitors and /api/2.0/cairn/feedback endpoints, no monitor gauges at /metrics, no monitor pages.</summary>
    public IMonitorStore? Monitors { get; init; }
    /// <summary>Deployment endpoints and their history; null: no /api/2.0/cairn/endpoints endpoints, no endpoint pages.</summary>
    public IEndpointStore? Endpoints { get; init; }
    /// <summary>Feature definitions and their versions; null: no /api/2.0/cairn/features endpoints.</summary>
    public IFeatureDefinitionStore? Features { get; init; }
    /// <summary>Online feature lookups and pushes (/api/2.0/cairn/features/online, /get-online-features, /push); null: not served.</summary>
    public IOnlineFeatureService? OnlineFeatures { get; init; }
    /// <summary>The feature views' freshness gauges at /metrics (read from the online store at each scrape); null: none.</summary>
    public FeatureFreshnessMetrics? FeatureFreshness { get; init; }
    /// <summary>The online feature store the view pages read freshness from; null: they say there is none.</summary>
    public IOnlineFeatureStore? OnlineStore { get; init; }
    /// <summary>MLflow 3's logged models; null: no /api/2.0/mlflow/logged-models endpoints.</summary>
    public ILoggedModelStore? LoggedModels { get; init; }
    /// <summary>The inference log folder the endpoint pages read live figures from; null: none shown.</summary>
    public string? InferenceLog { get; init; } = UiStores.DefaultInferenceLog;
    /// <summary>Sign-in for every request but the probes (<c>cairn server --auth</c>); null: anyone who reaches the server may do everything.</summary>
    public Cairn.Server.Security.ServerAuthentication? Authentication { get; init; }
    /// <summary>With <see cref="Authentication"/>: the aliases that move only on a request approved by another user (<c>--protected-aliases</c>).</summary>
    public IReadOnlyList<string> ProtectedAliases { get; init; } = Cairn.Registry.FourEyes.DefaultProtectedAliases;
    /// <summary>The audit log every changing request is recorded in, and <c>GET /api/2.0/cairn/audit/list</c> reads; null: none.</summary>
    public Cairn.Security.IAuditStore? Audit { get; init; }
    /// <summary>Long-running work (the pipeline scheduler) started once the server listens.</summary>
    public IReadOnlyList<ServerWork> BackgroundWork { get; init; } = [];
}

/// <summary>The Cairn server on Kestrel: MLflow's tracking and registry API, the artifact proxy, and the web UI at <c>/</c>.</summary>
public static class CairnServer
{
    public static WebApplication Build(CairnServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddRedactingConsole(); // one line per entry on stderr, secrets masked
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        // A port in use fails StartAsync and the caller says so in one line; until the server
        // listens, Kestrel's and the host's own reports of that (each with a stack trace) are muted.
        var listening = false;
        var minimum = options.MinimumLogLevel;
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", level => level >= minimum && (listening || level < LogLevel.Critical));
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= minimum && (listening || level < LogLevel.Error));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            kestrel.Listen(address, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                options.Tls?.Apply(listen);
            });
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Cairn API (MLflow REST API 2.0 compatible: tracking, artifacts, model registry)";
            document.Info.Version = "2.0";
            return Task.CompletedTask;
        }));
        builder.Services.AddCorsOrigins(options.CorsOrigins);
        builder.Services.AddCairnUi(new UiStores(options.Tracking, options.Registry, options.Artifacts, options.Datasets, options.Time) { Monitors = options.Monitors, Endpoints = options.Endpoints, Features = options.Features, OnlineStore = options.OnlineStore, LoggedModels = options.LoggedModels, InferenceLog = options.InferenceLog });
        builder.Services.AddCairnSignIn(options.Authentication, options.Time);

        WebApplication? built = null;
        foreach (var work in options.BackgroundWork)
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(services =>
                new BackgroundWorkService(built!, work, services.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Server.BackgroundWork")));

        var app = builder.Build();
        built = app;
        app.Lifetime.ApplicationStarted.Register(() => listening = true);
        app.UseDefaultResponseHeaders(CairnUi.SecurityHeaders);
        app.UseAllowedHosts(new AllowedHosts(options.AllowedHosts), ErrorHandling.Write);
        app.UseCorsOrigins(options.CorsOrigins);
        app.UseAjaxApiAliases();
        app.UseCairnAuthentication(options.Authentication, options.Time);
        app.UseAuditLog(options.Audit);
        // Routing after the checks above, so that a refused host is not even matched to a route.
        app.UseRouting();
        app.UseMlflowErrors(app.Logger);
        app.UseCairnAuthorization(options.Authentication, options.Tracking, options.LoggedModels, options.Registry);
        app.MapOpenApi("/openapi/{documentName}.json").Requires(Access.SignedIn);
        app.MapGet("/health", () => Results.Text("OK")).Requires(Access.Anyone).ExcludeFromDescription();
        app.MapGet("/version", () => Results.Text(typeof(CairnServer).Assembly.GetName().Version?.ToString() ?? "0")).Requires(Access.Anyone).ExcludeFromDescription();
        app.MapExperimentsApi(options.Tracking);
        app.MapRunsApi(options.Tracking, options.Time);
        app.MapArtifactsApi(options.Tracking, options.Artifacts);
        app.MapRegistryApi(options.Registry, options.Tracking, options.LoggedModels, options.Authentication is null ? null : options.ProtectedAliases, options.Time);
        app.MapDatasetsApi(options.Datasets);
        if (options.Authentication is not null) app.MapUsersApi(options.Authentication).MapPermissionsApi(options.Authentication).MapAdministrationApi(options.Authentication);
        if (options.Audit is not null) app.MapAuditApi(options.Audit, options.Time);
        if (options.Schedules is not null) app.MapPipelineScheduleApi(options.Schedules, options.Time);
        if (options.Monitors is not null) app.MapMonitorsApi(options.Monitors, options.Time);
        if (options.Monitors is not null || options.FeatureFreshness is not null) app.MapMetricsApi(options.Monitors, options.FeatureFreshness);
        if (options.Endpoints is not null) app.MapEndpointsApi(options.Endpoints);
        if (options.Features is not null) app.MapFeatureApi(options.Features);
        if (options.OnlineFeatures is not null) app.MapOnlineFeatureApi(options.OnlineFeatures);
        if (options.LoggedModels is not null) app.MapLoggedModelsApi(options.LoggedModels, options.Artifacts);
        app.MapFallback("/api/{**rest}", (HttpContext http) =>
            ErrorHandling.Write(http, StatusCodes.Status404NotFound, "ENDPOINT_NOT_FOUND",
                $"No API endpoint {http.Request.Method} {AjaxApi.OriginalPath(http)}. See /openapi/v1.json for the API.")).Requires(Access.SignedIn);
        app.MapCairnUi().RequireUiAccess();
        return app;
    }

    /// <summary>The address the started server listens on, with the real port when 0 was asked for.</summary>
    public static Uri BoundAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The server is not started.");
        return new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
