using System.Diagnostics;

namespace Cairn.Pipelines;

/// <summary>
/// Runs a step's process with its output in the step's log. A timeout or cancellation kills the
/// whole process tree, so Ctrl+C leaves no orphan behind.
/// </summary>
public static class ChildProcesses
{
    /// <returns>The exit code.</returns>
    /// <exception cref="TimeoutException">When <paramref name="timeout"/> passed first.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="ct"/> was cancelled.</exception>
    /// <param name="log">Where the process's output lines go; null when the process sees to its output itself (it then inherits this process's streams).</param>
    public static async Task<int> RunAsync(ProcessStartInfo start, TextWriter? log, TimeSpan? timeout, CancellationToken ct)
    {
        var capture = log is not null;
        start.RedirectStandardOutput = capture;
        start.RedirectStandardError = capture;
        start.RedirectStandardInput = capture;
        start.UseShellExecute = false;
        using var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var gate = new object();
        void Write(string? line)
        {
            if (line is null) return;
            lock (gate) log!.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new StepFailedException($"cannot start '{start.FileName}': {e.Message}.");
        }
        if (capture)
        {
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) limit.CancelAfter(t);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"killed after its timeout of {timeout}");
        }
        // The output pipes drain after exit.
        if (capture) process.WaitForExit();
        return process.ExitCode;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }
}
