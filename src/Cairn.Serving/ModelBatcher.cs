using System.Threading.Channels;
using Cairn.Models;

namespace Cairn.Serving;

public sealed record BatchingOptions(int MaxBatchRows = 64, TimeSpan? MaxWait = null, int MaxQueuedRequests = 1024)
{
    /// <summary>Zero by default: a batch is whatever queued while the model was busy, so no request waits for company.</summary>
    public TimeSpan Wait => MaxWait ?? TimeSpan.Zero;
}

/// <summary>
/// Adaptive micro-batching: concurrent requests are scored together in one call of the model.
/// A batch is what queued up while the model was busy with the previous one (up to
/// <see cref="BatchingOptions.MaxBatchRows"/> rows), so batches grow with load and a lone request
/// is scored at once; <see cref="BatchingOptions.MaxWait"/> can add a short wait under load. The queue is bounded: when it is full a request is
/// refused with TEMPORARILY_UNAVAILABLE (503 and Retry-After), never buffered without limit.
/// </summary>
public sealed class ModelBatcher : IAsyncDisposable
{
    private sealed record Pending(IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows, TaskCompletionSource<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Done);

    private readonly IModelPredictor _predictor;
    private readonly BatchingOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private int _queued;

    /// <summary>Called with the rows of each batch the model scored.</summary>
    public event Action<int>? BatchScored;

    public int QueueDepth => Volatile.Read(ref _queued);

    public ModelBatcher(IModelPredictor predictor, BatchingOptions options)
    {
        _predictor = predictor;
        _options = options;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.MaxQueuedRequests) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _loop = Task.Run(RunAsync);
    }

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var pending = new Pending(rows, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"The model's queue is full ({_options.MaxQueuedRequests} requests waiting); retry shortly.");
        Interlocked.Increment(ref _queued);
        return pending.Done.Task;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var rows = 0;
            while (rows < _options.MaxBatchRows && reader.TryRead(out var next)) { batch.Add(next); rows += next.Rows.Count; }
            if (_options.Wait > TimeSpan.Zero && batch.Count > 1 && rows < _options.MaxBatchRows)
            {
                // Load is present: give the next requests a moment to join this batch.
                using var wait = new CancellationTokenSource(_options.Wait);
                try
                {
                    while (rows < _options.MaxBatchRows && await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                        while (rows < _options.MaxBatchRows && reader.TryRead(out var next)) { batch.Add(next); rows += next.Rows.Count; }
                }
                catch (OperationCanceledException) { }
            }
            Interlocked.Add(ref _queued, -batch.Count);
            Score(batch, rows);
        }
    }

    private void Score(List<Pending> batch, int rows)
    {
        try
        {
            var all = batch.Count == 1 ? batch[0].Rows : batch.SelectMany(p => p.Rows).ToList();
            var results = _predictor.Predict(all);
            BatchScored?.Invoke(rows);
            var offset = 0;
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(batch.Count == 1 ? results : results.Skip(offset).Take(pending.Rows.Count).ToList());
                offset += pending.Rows.Count;
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad request must not fail its neighbours: score them one by one.
            foreach (var pending in batch) Score([pending], pending.Rows.Count);
        }
        catch (Exception e)
        {
            batch[0].Done.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
