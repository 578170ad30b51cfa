namespace Cairn.Deployments.Replicas;

/// <summary>
/// Scales one <see cref="ReplicaSet"/> between min and max: every <see cref="Interval"/> it reads
/// the set's load (mean requests in flight per replica and p99 over the set's latency window),
/// asks <see cref="AutoscalePolicy"/>, and scales when the answer differs.
/// </summary>
public sealed class Autoscaler : IAsyncDisposable
{
    private readonly ReplicaSet _set;
    private readonly AutoscalingSettings _settings;
    private readonly int _min;
    private readonly int _max;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _lastChange = DateTimeOffset.MinValue;

    public Autoscaler(ReplicaSet set, AutoscalingSettings settings, int minReplicas, int maxReplicas, TimeProvider? time = null, TimeSpan? interval = null)
    {
        if (minReplicas < 1 || maxReplicas < minReplicas)
            throw CairnException.InvalidParameter($"Replicas must satisfy 1 <= min <= max; got min {minReplicas}, max {maxReplicas}.");
        _set = set;
        _settings = settings;
        _min = minReplicas;
        _max = maxReplicas;
        _time = time ?? TimeProvider.System;
        Interval = interval ?? TimeSpan.FromSeconds(1);
    }

    public TimeSpan Interval { get; }

    /// <summary>The set was scaled: replicas before, after, and why.</summary>
    public event Action<int, int, string>? Scaled;

    /// <summary>A scaling step failed (a replica would not start): what was tried and the error.</summary>
    public event Action<string>? ScaleFailed;

    /// <summary>Starts the loop (once).</summary>
    public void Start()
    {
        if (!_loop.IsCompleted || _stop.IsCancellationRequested) return;
        _loop = RunAsync(_stop.Token);
    }

    /// <summary>One decision now: reads the load, applies the policy, scales. Returns the replicas wanted.</summary>
    public async Task<int> StepAsync(CancellationToken ct)
    {
        var load = _set.SampleLoad();
        var now = _time.GetUtcNow();
        var (desired, reason) = AutoscalePolicy.Decide(load.Replicas, load.MeanInFlightPerReplica, load.P99Ms, _settings, _min, _max, now, _lastChange);
        if (desired == load.Replicas) return desired;
        _lastChange = now; // a failed step waits out the cool-down too, rather than retrying every tick
        try
        {
            await _set.ScaleToAsync(desired, ct).ConfigureAwait(false);
            Scaled?.Invoke(load.Replicas, desired, reason);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ScaleFailed?.Invoke($"Scaling {_set.ModelUri} from {load.Replicas} to {desired} replicas ({reason}) failed: {e.Message}");
        }
        finally
        {
            // The cool-down runs from when the new replica is ready, not from the decision: a
            // replica that takes longer to start than the cool-down was removed by the next tick.
            _lastChange = _time.GetUtcNow();
        }
        return desired;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            await StepAsync(ct).ConfigureAwait(false); // the minimum at once
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                await StepAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
