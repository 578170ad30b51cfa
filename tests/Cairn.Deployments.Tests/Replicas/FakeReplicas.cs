using Cairn.Deployments.Replicas;

namespace Cairn.Deployments.Tests.Replicas;

using Rows = IReadOnlyList<IReadOnlyDictionary<string, object?>>;

/// <summary>A replica whose answers, failures and exit the test decides; it answers with its own id.</summary>
internal sealed class FakeReplica(string id, bool isLocal = false) : IReplica
{
    private int _inFlight;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public bool IsLocal { get; } = isLocal;
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool Healthy { get; set; } = true;
    public Task Exited => _exited.Task;
    public bool Disposed { get; private set; }
    public int Calls;

    /// <summary>What the next calls do; by default an answer naming this replica.</summary>
    public Func<Rows, Task<Rows>>? Behavior { get; set; }

    public async Task<Rows> PredictAsync(Rows rows, CancellationToken ct)
    {
        Interlocked.Increment(ref Calls);
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Behavior is { } behavior) return await behavior(rows);
            return rows.Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["replica"] = Id }).ToList();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Exit() => _exited.TrySetResult();

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeLauncher : IReplicaLauncher
{
    private int _count;
    public List<FakeReplica> Started { get; } = [];

    /// <summary>Runs as a replica starts (a test advances its clock here: a replica that takes long to start).</summary>
    public Action? Starting { get; set; }

    public Task<IReplica> StartAsync(string modelUri, CancellationToken ct)
    {
        Starting?.Invoke();
        var replica = new FakeReplica($"f{Interlocked.Increment(ref _count)}");
        lock (Started) Started.Add(replica);
        return Task.FromResult<IReplica>(replica);
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(GetTimestamp());
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
