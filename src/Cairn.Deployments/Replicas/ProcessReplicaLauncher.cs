using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Deployments.Replicas;

/// <summary>
/// Starts replicas as <c>&lt;exe&gt; &lt;argumentsBefore&gt; serve &lt;model uri&gt; --host 127.0.0.1 --port 0 --inference-log none &lt;extra&gt;</c>:
/// the port is read from the line <c>cairn serve</c> prints when it listens, then the launcher
/// waits for <c>GET /v2/health/ready</c> and reads the model's metadata. A process that does not
/// get there within <see cref="ReadyTimeout"/> (or exits first) is killed with its children, and
/// the start fails with its last lines of standard error.
/// </summary>
public sealed partial class ProcessReplicaLauncher(
    string executable,
    IReadOnlyList<string> argumentsBefore,
    IReadOnlyDictionary<string, string>? environment = null,
    IReadOnlyList<string>? extraServeArguments = null) : IReplicaLauncher
{
    private int _started;

    /// <summary>How long a new process has to listen and answer ready (loading a large model takes a while).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Lines of standard error kept for messages.</summary>
    public int StderrLines { get; init; } = 20;

    /// <summary>
    /// The launcher for the running <c>cairn</c> CLI: its own executable, or <c>dotnet cairn.dll</c>
    /// when it runs through the <c>dotnet</c> host.
    /// </summary>
    public static ProcessReplicaLauncher ForThisProcess(IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? extraServeArguments = null)
    {
        var executable = Environment.ProcessPath ?? throw CairnException.InvalidState("The path of this process is unknown, so replicas cannot be started.");
        IReadOnlyList<string> before = Path.GetFileNameWithoutExtension(executable).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [Assembly.GetEntryAssembly()?.Location ?? throw CairnException.InvalidState("The entry assembly is unknown, so replicas cannot be started.")]
            : [];
        return new ProcessReplicaLauncher(executable, before, environment, extraServeArguments);
    }

    [GeneratedRegex(@"\bon (https?://[^\s/]+:\d+)")]
    private static partial Regex ListeningAddress();

    public async Task<IReplica> StartAsync(string modelUri, CancellationToken ct)
    {
        var id = $"r{Interlocked.Increment(ref _started)}";
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in argumentsBefore) info.ArgumentList.Add(a);
        foreach (var a in (string[])["serve", modelUri, "--host", "127.0.0.1", "--port", "0", "--inference-log", "none"]) info.ArgumentList.Add(a);
        foreach (var a in extraServeArguments ?? []) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;

        var stderr = new Queue<string>();
        string Tail() { lock (stderr) return string.Join(Environment.NewLine, stderr); }
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            // Read to the end, so the child never blocks on a full pipe.
            if (e.Data is not null && !address.Task.IsCompleted && ListeningAddress().Match(e.Data) is { Success: true } m)
                address.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                while (stderr.Count > StderrLines) stderr.Dequeue();
            }
        };
        process.Exited += (_, _) => exited.TrySetResult();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw CairnException.InvalidParameter($"Could not start a replica of {modelUri} with '{executable}': {e.Message}.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ReadyTimeout);
        try
        {
            var listening = await Task.WhenAny(address.Task, exited.Task).WaitAsync(deadline.Token).ConfigureAwait(false);
            if (listening != address.Task) throw NotReady("exited before it listened");
            var (name, version, inputTypes) = await WaitReadyAsync(address.Task.Result, exited.Task, deadline.Token).ConfigureAwait(false);
            return new RemoteReplica(id, process, address.Task.Result, name, version, inputTypes, Tail);
        }
        catch (Exception e) when (e is not CairnException)
        {
            await ProcessTree.KillAsync(process).ConfigureAwait(false);
            var error = ct.IsCancellationRequested ? null : e is OperationCanceledException
                ? NotReady($"did not become ready within {ReadyTimeout.TotalSeconds:0.#} s and was stopped")
                : NotReady($"failed while starting ({e.GetBaseException().Message}) and was stopped");
            process.Dispose();
            ct.ThrowIfCancellationRequested();
            throw error!;
        }
        catch
        {
            await ProcessTree.KillAsync(process).ConfigureAwait(false);
            process.Dispose();
            throw;
        }

        CairnException NotReady(string what)
        {
            if (process.HasExited) process.WaitForExit(2000); // lets the last lines of output arrive
            var tail = Tail();
            var code = process.HasExited ? $" (exit code {process.ExitCode})" : "";
            return CairnException.InvalidState($"A replica of {modelUri} ({executable} {string.Join(' ', info.ArgumentList)}) {what}{code}. " +
                (tail.Length > 0 ? $"Its last output:{Environment.NewLine}{tail}" : "It wrote nothing to standard error."));
        }
    }

    /// <summary>Polls readiness, then reads the model's name, version and input datatypes.</summary>
    private static async Task<(string Name, string Version, IReadOnlyDictionary<string, string> InputTypes)> WaitReadyAsync(Uri address, Task exited, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        while (true)
        {
            if (exited.IsCompleted) throw new InvalidOperationException("the process exited");
            try
            {
                using var ready = await http.GetAsync("/v2/health/ready", ct).ConfigureAwait(false);
                if (ready.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        using var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models", ct).ConfigureAwait(false));
        var name = models.RootElement.GetProperty("models")[0].GetString() ?? "model";
        using var metadata = JsonDocument.Parse(await http.GetStringAsync($"/v2/models/{Uri.EscapeDataString(name)}", ct).ConfigureAwait(false));
        var version = metadata.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).FirstOrDefault() ?? "";
        var inputs = metadata.RootElement.GetProperty("inputs").EnumerateArray()
            .ToDictionary(i => i.GetProperty("name").GetString() ?? "", i => i.GetProperty("datatype").GetString() ?? "BYTES");
        return (name, version, inputs);
    }
}
