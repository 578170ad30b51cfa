using System.Net;
using System.Text.Json;
using Cairn.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Serving;

public sealed record ModelServerOptions(IServingTarget Host)
{
    public ServingMetrics Metrics { get; init; } = new();
    /// <summary>Where sampled requests are logged (null: not logged).</summary>
    public InferenceLog? Log { get; init; }
    public string Address { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8080;
    /// <summary>The certificate to answer https with (<c>--tls-cert</c>, <c>--tls-key</c>); null: plain http.</summary>
    public ServerTls? Tls { get; init; }
    public string VertexHealthRoute { get; init; } = "/vertex/health";
    public string VertexPredictRoute { get; init; } = "/vertex/predict";
    /// <summary>Host names answered besides the loopback ones and the address reached (see <see cref="Cairn.Hosting.AllowedHosts"/>); "*" answers any.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
    /// <summary>Web origins whose pages may call the model from a browser; none: no CORS headers.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Ports and routes from the clouds' container contracts: SAGEMAKER_BIND_TO_PORT, AIP_HTTP_PORT, AIP_HEALTH_ROUTE, AIP_PREDICT_ROUTE.</summary>
    public ModelServerOptions FromEnvironment(int? explicitPort)
    {
        var port = explicitPort ?? Int("AIP_HTTP_PORT") ?? Int("SAGEMAKER_BIND_TO_PORT") ?? Port;
        return this with
        {
            Port = port,
            VertexHealthRoute = Environment.GetEnvironmentVariable("AIP_HEALTH_ROUTE") is { Length: > 0 } h ? h : VertexHealthRoute,
            VertexPredictRoute = Environment.GetEnvironmentVariable("AIP_PREDICT_ROUTE") is { Length: > 0 } p ? p : VertexPredictRoute,
        };
    }

    private static int? Int(string name) => int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : null;
}

/// <summary>The inference server on Kestrel, answering every protocol at once.</summary>
public static class ModelServer
{
    public static WebApplication Build(ModelServerOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddRedactingConsole(); // on stderr, secrets masked
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A port in use fails StartAsync and the caller says so in one line; until the server
        // listens, Kestrel's and the host's own reports of that (each with a stack trace) are muted.
        var listening = false;
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", level => level >= LogLevel.Warning && (listening || level < LogLevel.Critical));
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Warning && (listening || level < LogLevel.Error));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var address = options.Address is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Address);
            k.Listen(address, options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                options.Tls?.Apply(l);
            });
        });
        builder.Services.AddCorsOrigins(options.CorsOrigins);
        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(() => listening = true);
        app.UseDefaultResponseHeaders(NosniffHeader);
        app.UseAllowedHosts(new AllowedHosts(options.AllowedHosts), WriteError);
        app.UseCorsOrigins(options.CorsOrigins);
        // Routing after the checks above, so that a refused host is not even matched to a route.
        app.UseRouting();
        var metrics = options.Metrics;
        app.Use(async (context, next) =>
        {
            // Metrics for scoring requests, per model version and protocol.
            if (!HttpMethods.IsPost(context.Request.Method)) { await next(context); return; }
            ServedModel model;
            try
            {
                model = options.Host.ModelFor(context, context.Request.RouteValues.TryGetValue("version", out var v) ? v as string : null);
            }
            catch (CairnException)
            {
                // No model answers this request (a version not served): the route says so with a 4xx below.
                await next(context);
                return;
            }
            var protocol = ServingMetrics.Protocol(context.Request.Path);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                metrics.Requests.WithLabels(model.Name, model.Version, protocol).Inc();
                metrics.Latency.WithLabels(model.Name, model.Version, protocol).Observe(elapsed.TotalSeconds);
                if (context.Response.StatusCode >= 400)
                    metrics.Errors.WithLabels(model.Name, model.Version, protocol, context.Response.StatusCode.ToString()).Inc();
                options.Host.Completed(context, model, context.Response.StatusCode, elapsed.TotalMilliseconds);
            }
        });
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (CairnException e)
            {
                if (e.ErrorCode == ErrorCodes.TemporarilyUnavailable) context.Response.Headers.RetryAfter = "1";
                await WriteError(context, e.ErrorCode switch
                {
                    ErrorCodes.ResourceDoesNotExist => StatusCodes.Status404NotFound,
                    ErrorCodes.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
                    "UNSUPPORTED_MEDIA_TYPE" => StatusCodes.Status415UnsupportedMediaType,
                    _ => StatusCodes.Status400BadRequest,
                }, e.ErrorCode, e.Message);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                // The client sent a broken request or went away mid-body: its problem, not the model's.
                await WriteError(context, e.StatusCode, ErrorCodes.BadRequest, e.Message);
            }
            catch (ExplainerFailedException e)
            {
                app.Logger.LogError(e.InnerException, "The explainer failed on {Path}", context.Request.Path);
                await WriteError(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                    "The explainer failed on this request; the error is in the server's log. Predictions on the scoring routes are unaffected.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                app.Logger.LogError(e, "Inference failed on {Path}", context.Request.Path);
                await WriteError(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "The model failed to score the request; the error is in the server's log.");
            }
        });
        app.MapOpenInference(options.Host, options.Log);
        app.MapKServeV1(options.Host, options.Log);
        app.MapMlflowScoring(options.Host, options.Log);
        app.MapAzureScoring(options.Host, options.Log);
        app.MapVertex(options.Host, options.Log, options.VertexHealthRoute, options.VertexPredictRoute);
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            foreach (var model in options.Host.Models)
                metrics.QueueDepth.WithLabels(model.Name, model.Version).Set(model.Batcher?.QueueDepth ?? 0);
            // The log is the server's, not a version's: an endpoint's router reports it without a version.
            var served = options.Host.Models;
            metrics.LogDropped.WithLabels(options.Host.Name, served.Count == 1 ? served[0].Version : "").IncTo(options.Log?.Dropped ?? 0);
            http.Response.ContentType = "text/plain; version=0.0.4";
            await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        });
        foreach (var model in options.Host.Models) Observe(model, metrics);
        options.Host.Swapped += next => Observe(next, metrics);
        // Graceful shutdown: Kestrel lets requests in flight finish; then the log is flushed.
        app.Lifetime.ApplicationStopped.Register(() => options.Log?.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    private static readonly KeyValuePair<string, string>[] NosniffHeader = [new("X-Content-Type-Options", "nosniff")];

    private static void Observe(ServedModel model, ServingMetrics metrics)
    {
        if (model.Batcher is { } batcher) batcher.BatchScored += rows => metrics.BatchRows.WithLabels(model.Name, model.Version).Observe(rows);
    }

    /// <summary>OIP clients read {"error": ...}; MLflow clients read {"error_code", "message"}: both are written.</summary>
    private static async Task WriteError(HttpContext context, int status, string code, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message, ["error_code"] = code, ["message"] = message }, CairnJson.Readable));
    }
}
