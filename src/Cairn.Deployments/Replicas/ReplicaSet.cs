namespace Cairn.Deployments.Replicas;

/// <summary>What the set knows of one replica now.</summary>
public sealed record ReplicaState(string Id, bool IsLocal, bool Healthy, int InFlight, long Requests, long Failures);

/// <summary>A sample of the set's load for the autoscaler.</summary>
public sealed record ReplicaLoad(int Replicas, double MeanInFlightPerReplica, double? P99Ms, int Requests);

/// <summary>
/// One variant's replicas: the model in the router process plus 0..n <c>cairn serve</c> processes.
/// Each request goes to the healthy replica with the fewest requests in flight (ties: the local
/// one). A replica that cannot be reached is taken out of rotation and the request is sent once
/// more, elsewhere; a process that exits is replaced. Removed replicas drain: no new requests,
/// disposed once their last one ends (or after <see cref="DrainGrace"/>).
/// </summary>
public sealed class ReplicaSet : IAsyncDisposable
{
    private sealed class Slot(IReplica replica)
    {
        public IReplica Replica { get; } = replica;
        public int Pending;
        public long Requests;
        public long Failures;
        public bool Removed;
        public readonly TaskCompletionSource Drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly IReplicaLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly List<Slot> _active = [];
    private readonly List<Task> _background = [];
    private readonly SemaphoreSlim _scaling = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private int _desired = 1;

    public ReplicaSet(string modelUri, IReplica local, IReplicaLauncher launcher, TimeProvider? time = null)
    {
        ModelUri = modelUri;
        _launcher = launcher;
        _time = time ?? TimeProvider.System;
        _active.Add(new Slot(local));
        Latency = new LatencyWindow(TimeSpan.FromSeconds(30), _time);
    }

    public string ModelUri { get; }

    /// <summary>A replica process exited or could not be reached, and was replaced (or could not be): the reason, for the endpoint's history.</summary>
    public event Action<string>? ReplicaRestarted;

    /// <summary>How long a removed replica may finish its requests before it is stopped anyway.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before trying again when a replacement fails to start.</summary>
    public TimeSpan RestartBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Latencies of recent requests (every replica), read by the autoscaler.</summary>
    public LatencyWindow Latency { get; init; }

    /// <summary>Replicas in rotation, the local one included.</summary>
    public int Count { get { lock (_gate) return _active.Count; } }

    public IReadOnlyList<IReplica> Replicas { get { lock (_gate) return _active.Select(s => s.Replica).ToList(); } }

    /// <summary>The replicas in rotation with their load and counts.</summary>
    public IReadOnlyList<ReplicaState> States
    {
        get
        {
            lock (_gate)
                return _active.Select(s => new ReplicaState(s.Replica.Id, s.Replica.IsLocal, s.Replica.Healthy, s.Pending,
                    Interlocked.Read(ref s.Requests), Interlocked.Read(ref s.Failures))).ToList();
        }
    }

    public ReplicaLoad SampleLoad()
    {
        var (p99, requests, concurrency) = Latency.Read();
        var count = Count;
        return new ReplicaLoad(count, concurrency / count, p99, requests);
    }

    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        try
        {
            var first = Take(exclude: null);
            try
            {
                return await ScoreAsync(first, rows, ct).ConfigureAwait(false);
            }
            catch (ReplicaUnreachableException e)
            {
                // The request never got an answer: send it once more, to another replica.
                Retire(first, $"{Describe(first.Replica)} could not be reached ({e.InnerException?.GetBaseException().Message})");
                var second = Take(exclude: first);
                try
                {
                    return await ScoreAsync(second, rows, ct).ConfigureAwait(false);
                }
                catch (ReplicaUnreachableException again)
                {
                    Retire(second, $"{Describe(second.Replica)} could not be reached ({again.InnerException?.GetBaseException().Message})");
                    throw;
                }
            }
        }
        finally
        {
            Latency.Record(_time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ScoreAsync(Slot slot, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct)
    {
        try
        {
            var results = await slot.Replica.PredictAsync(rows, ct).ConfigureAwait(false);
            Interlocked.Increment(ref slot.Requests);
            return results;
        }
        catch (Exception e) when (e is not CairnException and not OperationCanceledException)
        {
            Interlocked.Increment(ref slot.Failures);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                slot.Pending--;
                if (slot.Removed && slot.Pending == 0) slot.Drained.TrySetResult();
            }
        }
    }

    /// <summary>The healthy replica with the fewest requests in flight (the local one first on a tie), its count taken.</summary>
    private Slot Take(Slot? exclude)
    {
        lock (_gate)
        {
            Slot? best = null;
            foreach (var slot in _active)
                if (slot != exclude && slot.Replica.Healthy && (best is null || slot.Pending < best.Pending))
                    best = slot;
            best ??= _active[0]; // the local one always serves
            best.Pending++;
            return best;
        }
    }

    /// <summary>
    /// Sets the number of replicas, the local one included (so <paramref name="replicas"/> - 1
    /// processes). New ones are in rotation when this returns; removed ones (the newest first)
    /// get no new requests and stop once drained.
    /// </summary>
    public async Task ScaleToAsync(int replicas, CancellationToken ct)
    {
        if (replicas < 1) throw CairnException.InvalidParameter($"A variant needs at least 1 replica (the one in the router); got {replicas}.");
        await _scaling.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _desired, replicas);
            var missing = replicas - Count;
            if (missing > 0)
                await Task.WhenAll(Enumerable.Range(0, missing).Select(_ => StartOneAsync(ct))).ConfigureAwait(false);
            else if (missing < 0)
            {
                List<Slot> removed;
                lock (_gate)
                {
                    removed = _active.Where(s => !s.Replica.IsLocal).Reverse().Take(-missing).ToList();
                    foreach (var slot in removed) Remove(slot);
                }
                foreach (var slot in removed) Track(DrainAsync(slot));
            }
        }
        finally
        {
            _scaling.Release();
        }
    }

    private async Task<Slot> StartOneAsync(CancellationToken ct)
    {
        var replica = await _launcher.StartAsync(ModelUri, ct).ConfigureAwait(false);
        var slot = new Slot(replica);
        lock (_gate) _active.Add(slot);
        Track(SuperviseAsync(slot));
        return slot;
    }

    /// <summary>Waits for the process to exit; an exit nobody asked for takes it out and starts another.</summary>
    private async Task SuperviseAsync(Slot slot)
    {
        await Task.WhenAny(slot.Replica.Exited, Task.Delay(Timeout.Infinite, _disposed.Token)).ConfigureAwait(false);
        if (_disposed.IsCancellationRequested) return;
        Retire(slot, $"{Describe(slot.Replica)} exited");
    }

    /// <summary>Takes a failed replica out of rotation at once, stops it, and starts a replacement.</summary>
    private void Retire(Slot slot, string reason)
    {
        lock (_gate)
        {
            if (slot.Removed || slot.Replica.IsLocal) return;
            Remove(slot);
        }
        Track(ReplaceAsync(slot, reason));
    }

    private void Remove(Slot slot)
    {
        _active.Remove(slot);
        slot.Removed = true;
        if (slot.Pending == 0) slot.Drained.TrySetResult();
    }

    private async Task ReplaceAsync(Slot failed, string reason)
    {
        var description = reason;
        if (failed.Replica is RemoteReplica remote) description = $"{reason}: {remote.ExitDescription}";
        await failed.Replica.DisposeAsync().ConfigureAwait(false);
        while (!_disposed.IsCancellationRequested)
        {
            await _scaling.WaitAsync(_disposed.Token).ConfigureAwait(false);
            try
            {
                if (Count >= Volatile.Read(ref _desired))
                {
                    ReplicaRestarted?.Invoke($"{description}; not replaced (the set was scaled down).");
                    return;
                }
                var next = await StartOneAsync(_disposed.Token).ConfigureAwait(false);
                ReplicaRestarted?.Invoke($"{description}; replaced by {next.Replica.Id}.");
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReplicaRestarted?.Invoke($"{description}; a replacement failed to start ({e.Message}), trying again in {RestartBackoff.TotalSeconds:0.#} s.");
            }
            finally
            {
                _scaling.Release();
            }
            await Task.Delay(RestartBackoff, _time, _disposed.Token).ConfigureAwait(false);
        }
    }

    private async Task DrainAsync(Slot slot)
    {
        await Task.WhenAny(slot.Drained.Task, Task.Delay(DrainGrace, _time, _disposed.Token)).ConfigureAwait(false);
        await slot.Replica.DisposeAsync().ConfigureAwait(false);
    }

    private static string Describe(IReplica replica) => replica is RemoteReplica r ? $"replica {r.Id} (pid {r.ProcessId})" : $"replica {replica.Id}";

    private void Track(Task task)
    {
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    /// <summary>Stops every replica process (the local model stays with its owner) and the supervision behind them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        // Supervision, replacements and drains first, so that none adds a replica after the snapshot.
        Task[] background;
        lock (_background) background = [.. _background];
        try { await Task.WhenAll(background).ConfigureAwait(false); } catch (Exception) { } // cancelled by the dispose
        List<Slot> slots;
        lock (_gate)
        {
            slots = [.. _active];
            _active.RemoveAll(s => !s.Replica.IsLocal);
        }
        foreach (var slot in slots) await slot.Replica.DisposeAsync().ConfigureAwait(false);
        _scaling.Dispose();
        _disposed.Dispose();
    }
}
