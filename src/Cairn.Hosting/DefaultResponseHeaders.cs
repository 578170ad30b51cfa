using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Hosting;

public static class DefaultResponseHeaders
{
    /// <summary>
    /// Adds each header to every response that does not set it itself (an endpoint's stricter
    /// policy wins). Added as the response starts, so error handlers that clear the response keep them.
    /// </summary>
    public static IApplicationBuilder UseDefaultResponseHeaders(this IApplicationBuilder app, IReadOnlyList<KeyValuePair<string, string>> headers) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var (response, headers) = ((HttpResponse, IReadOnlyList<KeyValuePair<string, string>>))state;
                foreach (var (name, value) in headers) response.Headers.TryAdd(name, value);
                return Task.CompletedTask;
            }, (context.Response, headers));
            return next(context);
        });
}
