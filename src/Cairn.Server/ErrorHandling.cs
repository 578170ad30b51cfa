using Cairn.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// Turns every failure into MLflow's error body <c>{"error_code", "message"}</c> with MLflow's
/// status codes. User errors say what was wrong; internal ones are logged here under an error id
/// and answered with a generic 500 that gives only that id: their detail (a stack trace, a server
/// path) is for the operator, who finds it in the log by the id the user reports.
/// </summary>
public static class ErrorHandling
{
    public static int StatusFor(string errorCode) => errorCode switch
    {
        ErrorCodes.ResourceDoesNotExist => StatusCodes.Status404NotFound,
        ErrorCodes.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.PermissionDenied => StatusCodes.Status403Forbidden,
        Security.AuthenticationMiddleware.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCodes.InternalError => StatusCodes.Status500InternalServerError,
        "ENDPOINT_NOT_FOUND" => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };

    public static IApplicationBuilder UseMlflowErrors(this IApplicationBuilder app, ILogger logger) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (CairnException e) when (e.ErrorCode != ErrorCodes.InternalError)
            {
                await Write(context, StatusFor(e.ErrorCode), e.ErrorCode, e.Message);
            }
            catch (BadHttpRequestException e)
            {
                var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.InvalidParameterValue : ErrorCodes.BadRequest;
                await Write(context, e.StatusCode, code, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? "The request body is too large."
                    : e.Message);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to answer.
            }
            catch (Exception e)
            {
                var errorId = Ids.NewId();
                logger.LogError(e, "Internal error {ErrorId} on {Method} {Path}", errorId, context.Request.Method, context.Request.Path);
                await Write(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, InternalErrorMessage(errorId));
            }
        });

    private static string InternalErrorMessage(string errorId) => $"Internal error (id {errorId}): see the server log";

    public static Task Write(HttpContext context, int status, string errorCode, string message) => Write(context, status, errorCode, message, []);

    /// <param name="headers">Headers the answer carries (set after the response is cleared), such as an authentication challenge.</param>
    public static async Task Write(HttpContext context, int status, string errorCode, string message, (string Name, string Value)[] headers)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers) context.Response.Headers[name] = value;
        // Messages may echo what a request or a backend said: a token, a connection string.
        await context.Response.WriteAsJsonAsync(new ErrorResponse(errorCode, Secrets.Redact(message)!), CairnJson.Readable);
    }
}
