using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Serving;

public sealed record ModelServerOptions(ModelHost Host)
{
    public string Address { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8080;
    public string VertexHealthRoute { get; init; } = "/vertex/health";
    public string VertexPredictRoute { get; init; } = "/vertex/predict";

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
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            var address = options.Address is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Address);
            k.Listen(address, options.Port, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (CairnException e)
            {
                await WriteError(context, e.ErrorCode switch
                {
                    ErrorCodes.ResourceDoesNotExist => StatusCodes.Status404NotFound,
                    ErrorCodes.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
                    "UNSUPPORTED_MEDIA_TYPE" => StatusCodes.Status415UnsupportedMediaType,
                    _ => StatusCodes.Status400BadRequest,
                }, e.ErrorCode, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                app.Logger.LogError(e, "Inference failed on {Path}", context.Request.Path);
                await WriteError(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "The model failed to score the request; the error is in the server's log.");
            }
        });
        app.MapOpenInference(options.Host);
        app.MapMlflowScoring(options.Host);
        app.MapAzureScoring(options.Host);
        app.MapVertex(options.Host, options.VertexHealthRoute, options.VertexPredictRoute);
        return app;
    }

    /// <summary>OIP clients read {"error": ...}; MLflow clients read {"error_code", "message"}: both are written.</summary>
    private static async Task WriteError(HttpContext context, int status, string code, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = message, ["error_code"] = code, ["message"] = message }));
    }
}
