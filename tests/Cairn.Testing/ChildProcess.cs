using System.Diagnostics;
using System.Text;

namespace Cairn.Testing;

/// <summary>A dotnet program started as its own process, with its output captured.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public Process Process { get; }

    private ChildProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
                foreach (var (match, found) in _waiters)
                    if (match(e.Data)) found.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts a program with its output captured.</summary>
    public static ChildProcess Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new ChildProcess(Process.Start(info)!);
    }

    /// <summary>Starts <c>dotnet &lt;dll&gt; args</c>, the dll found beside the test assembly.</summary>
    /// <param name="interruptible">
    /// Start it with SIGINT's default disposition (through coreutils' <c>env --default-signal=INT</c>), for
    /// tests that press Ctrl+C: a test run started in the background of a shell without job control
    /// ignores SIGINT, every child inherits that, and .NET then leaves it ignored.
    /// </param>
    public static ChildProcess StartDll(string dllName, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null,
        bool interruptible = false)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, dllName);
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dllName} is not beside the tests; reference its project.", dll);
        var info = new ProcessStartInfo(interruptible ? "env" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (interruptible) foreach (var a in (string[])["--default-signal=INT", "dotnet"]) info.ArgumentList.Add(a);
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        return new ChildProcess(Process.Start(info)!);
    }

    public string StandardOutput { get { lock (_stdout) return _stdout.ToString(); } }
    public string StandardError { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The first line of standard output that <paramref name="match"/> accepts, waiting for it if need be.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            var seen = _stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(match);
            if (seen is not null) return seen;
            _waiters.Add((match, found));
        }
        var done = await Task.WhenAny(found.Task, Task.Delay(timeout));
        if (done != found.Task)
            throw new TimeoutException($"No matching output within {timeout}. stdout: {StandardOutput} stderr: {StandardError}");
        return await found.Task;
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Say what the process printed: a bare TaskCanceledException tells a CI log nothing.
            throw new TimeoutException($"The process did not exit within {timeout}. stdout: {StandardOutput} stderr: {StandardError}");
        }
        Process.WaitForExit(); // flushes redirected output
        return Process.ExitCode;
    }

    public void Kill()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true); // SIGKILL on Linux
        Process.WaitForExit();
    }

    public void Dispose()
    {
        try { Kill(); } catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
