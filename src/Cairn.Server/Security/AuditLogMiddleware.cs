using System.Runtime.ExceptionServices;
using Cairn.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Security;

/// <summary>
/// Records every request that may change something (<see cref="AuditedRequests.MayChange"/>) in
/// the audit log: who (the signed-in caller, or anonymous without --auth), from which address, what
/// (method and path), the ids it was about, and the status answered. Requests refused by sign-in
/// never reach it.
/// </summary>
/// <remarks>
/// Nothing acknowledged goes unrecorded: the response is held back until its entry is stored. When
/// the entry cannot be stored the client gets a 500 instead of the response, although the change
/// itself may have been made: better a retried request than a change the log does not show.
/// </remarks>
public static class AuditLogMiddleware
{
    /// <summary>Adds the audit log to the pipeline; nothing when <paramref name="audit"/> is null.</summary>
    public static IApplicationBuilder UseAuditLog(this IApplicationBuilder app, IAuditStore? audit)
    {
        if (audit is null) return app;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Server.Audit");
        return app.Use(async (http, next) =>
        {
            if (!AuditedRequests.MayChange(http.Request))
            {
                await next(http);
                return;
            }
            var scanRequest = AuditedRequests.IsSmallJson(http.Request.ContentType, http.Request.ContentLength);
            if (scanRequest) http.Request.EnableBuffering();
            var response = http.Features.Get<IHttpResponseBodyFeature>()!;
            using var held = new MemoryStream();
            var holding = new StreamResponseBodyFeature(held, response);
            http.Features.Set<IHttpResponseBodyFeature>(holding);
            ExceptionDispatchInfo? failure = null;
            try
            {
                await next(http);
                await holding.CompleteAsync();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                http.Features.Set(response);
            }
            var body = held.GetBuffer().AsMemory(0, (int)held.Length);
            var ids = new Dictionary<string, string>();
            AuditedRequests.CollectIds(ids, http.Request.Query, scanRequest ? await RequestBodyAsync(http) : default,
                AuditedRequests.IsSmallJson(http.Response.ContentType, body.Length) ? body : default);
            var recorded = await RecordAsync(audit, logger, http, ids, failure is null ? http.Response.StatusCode : StatusCodes.Status500InternalServerError);
            failure?.Throw(); // recorded as a 500; answered by the host's own handling
            if (!recorded)
            {
                await ErrorHandling.Write(http, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                    "The request was carried out but could not be recorded in the audit log, so it is not acknowledged: see the server log.");
                return;
            }
            if (body.Length == 0) return;
            http.Response.ContentLength ??= body.Length;
            await response.Writer.WriteAsync(body);
        });
    }

    private static async Task<ReadOnlyMemory<byte>> RequestBodyAsync(HttpContext http)
    {
        try
        {
            http.Request.Body.Position = 0;
            var buffer = new byte[AuditedRequests.MaxScannedBytes + 1];
            var length = await http.Request.Body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
            return length <= AuditedRequests.MaxScannedBytes ? buffer.AsMemory(0, length) : default;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or NotSupportedException or ObjectDisposedException)
        {
            return default; // the body was not readable again; the request is recorded without its ids
        }
    }

    private static async Task<bool> RecordAsync(IAuditStore audit, ILogger logger, HttpContext http, Dictionary<string, string> ids, int status)
    {
        var e = new AuditEvent(http.Caller()?.Username, http.Connection.RemoteIpAddress?.ToString(), http.Request.Method,
            http.Request.Path.Value ?? "/", AuditEntry.FormatResources(ids), status);
        try
        {
            // Not the request's token: a client that hangs up after sending still leaves its entry.
            await audit.AppendAsync(e, CancellationToken.None);
            return true;
        }
        catch (Exception failure)
        {
            logger.LogError(failure, "Could not record {Method} {Path} by {User} in the audit log", e.Method, e.Path, e.Username ?? "anonymous");
            return false;
        }
    }
}
