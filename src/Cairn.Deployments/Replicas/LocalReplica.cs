using Cairn.Serving;

namespace Cairn.Deployments.Replicas;

/// <summary>
/// The variant's model in the router's own process: replica 1 of every set, never exits. The
/// model belongs to the router (which loaded it), so disposing this replica leaves it loaded.
/// </summary>
public sealed class LocalReplica(ServedModel model) : IReplica
{
    private static readonly Task Never = new TaskCompletionSource().Task;
    private int _inFlight;

    public string Id => "local";
    public bool IsLocal => true;
    public int InFlight => Volatile.Read(ref _inFlight);
    public bool Healthy => true;
    public Task Exited => Never;
    public ServedModel Model { get; } = model;

    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await Model.PredictAsync(rows).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
