using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server;

/// <summary>
/// Long-running work a host hands the server (the pipeline scheduler): started once the server
/// listens, with the address it listens on, and cancelled when it stops. A failure is logged and
/// ends that work only, never the server.
/// </summary>
public delegate Task ServerWork(Uri boundAddress, CancellationToken stopping);

internal sealed class BackgroundWorkService(WebApplication app, ServerWork work, ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (app.Lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        try
        {
            await work(app.BoundAddress(), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Background work stopped with an error; the server keeps serving.");
        }
    }
}
