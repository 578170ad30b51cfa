using System.Diagnostics;
using System.Net.Http.Headers;

namespace Cairn.Deployments.Replicas;

/// <summary>
/// A <c>cairn serve</c> child process scoring over HTTP (<c>/v2/models/{name}/infer</c>). Owns the
/// process: disposing it kills the process tree.
/// </summary>
public sealed class RemoteReplica : IReplica
{
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _inputTypes;
    private readonly Func<string> _stderrTail;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _inferPath;
    private int _inFlight;
    private volatile bool _unreachable;
    private int _disposed;

    internal RemoteReplica(string id, Process process, Uri address, string modelName, string modelVersion,
        IReadOnlyDictionary<string, string> inputTypes, Func<string> stderrTail)
    {
        Id = id;
        _process = process;
        ProcessId = process.Id;
        Address = address;
        ModelName = modelName;
        ModelVersion = modelVersion;
        _inputTypes = inputTypes;
        _stderrTail = stderrTail;
        _inferPath = $"/v2/models/{Uri.EscapeDataString(modelName)}/infer";
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
            { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        process.Exited += (_, _) => _exited.TrySetResult();
        if (process.HasExited) _exited.TrySetResult();
    }

    public string Id { get; }
    public bool IsLocal => false;
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool Healthy => !_unreachable && !_exited.Task.IsCompleted;
    public Task Exited => _exited.Task;
    public Uri Address { get; }
    public int ProcessId { get; }
    public string ModelName { get; }
    public string ModelVersion { get; }

    /// <summary>Why the process ended, with its last lines of standard error (for the endpoint's history).</summary>
    public string ExitDescription
    {
        get
        {
            string code;
            try { code = _process.HasExited ? $"exited with code {_process.ExitCode}" : "is still running"; }
            catch (InvalidOperationException) { code = "was stopped"; } // disposed already
            var tail = _stderrTail();
            return tail.Length == 0 ? $"replica {Id} (pid {ProcessId}) {code}" : $"replica {Id} (pid {ProcessId}) {code}; its last output: {tail}";
        }
    }

    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (rows.Count == 0) return [];
        Interlocked.Increment(ref _inFlight);
        try
        {
            using var content = new ByteArrayContent(ReplicaWire.WriteRequest(rows, _inputTypes));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            HttpResponseMessage response;
            byte[] body;
            try
            {
                response = await _http.PostAsync(_inferPath, content, ct).ConfigureAwait(false);
                body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // Refused, reset or closed before a whole answer: the process is gone or going.
                _unreachable = true;
                throw new ReplicaUnreachableException(Id, e);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                // Not the caller's cancellation: the replica was stopped (it crashed and was retired) mid-request.
                _unreachable = true;
                throw new ReplicaUnreachableException(Id, e);
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    throw ReplicaWire.ReadError(Id, (int)response.StatusCode, System.Text.Encoding.UTF8.GetString(body));
                return ReplicaWire.ReadResponse(body, rows.Count);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _http.Dispose();
        await ProcessTree.KillAsync(_process).ConfigureAwait(false);
        _process.Dispose();
    }
}

internal static class ProcessTree
{
    /// <summary>Kills the process and its children, and waits (a little) for it to be gone.</summary>
    public static async Task KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException) { } // never started or already reaped
        catch (OperationCanceledException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }
}
