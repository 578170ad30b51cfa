namespace Cairn;

/// <summary>
/// The loop of the schedulers <c>cairn server</c> runs: poll, wait, again, until cancelled. A poll
/// that fails (the database briefly away) is reported and the next one tries again.
/// </summary>
public static class PollingLoop
{
    public static async Task RunAsync(Func<CancellationToken, Task> poll, TimeSpan interval, TimeProvider time, Action<Exception> failed, CancellationToken ct)
    {
        while (await PollOnceAsync(poll, failed, ct).ConfigureAwait(false))
        {
            try
            {
                await Task.Delay(interval, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// The same loop blocking the calling thread, so that every poll starts on it: a thread whose
    /// priority was lowered keeps the work (an awaited delay would resume on a pool thread).
    /// </summary>
    public static void RunOnThisThread(Func<CancellationToken, Task> poll, TimeSpan interval, TimeProvider time, Action<Exception> failed, CancellationToken ct)
    {
        while (PollOnceAsync(poll, failed, ct).GetAwaiter().GetResult())
        {
            try
            {
                Task.Delay(interval, time, ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <returns>Whether to go on (false once cancelled).</returns>
    private static async Task<bool> PollOnceAsync(Func<CancellationToken, Task> poll, Action<Exception> failed, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return false;
        try
        {
            await poll(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            failed(e);
        }
        return !ct.IsCancellationRequested;
    }
}
