using System.Collections.Concurrent;
using Cairn.Serving;

namespace Cairn.Deployments.Routing;

/// <summary>A live request handed to the shadow: its rows and what the primary answered.</summary>
public sealed record ShadowCopy(string RequestId, long Timestamp, string Protocol, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> PrimaryResults, double PrimaryLatencyMs);

/// <summary>
/// Scores copies of live requests on the shadow variant, after the primary answered, on a thread
/// of its own at the lowest CPU priority: the shadow never changes a response and never takes CPU
/// from the requests. The queue is bounded; when the shadow falls behind, copies are dropped and
/// counted, never queued without limit. The shadow's predictions go to the inference log (variant
/// = the shadow's name, the same request id) for <c>cairn deploy shadow-report</c>, and are
/// compared with the primary's as they come.
/// </summary>
public sealed class ShadowMirror : IAsyncDisposable
{
    private readonly string _endpoint;
    private readonly string _variant;
    private readonly ServedModel _model;
    private readonly InferenceLog? _log;
    private readonly BlockingCollection<ShadowCopy> _queue;
    private readonly Thread _thread;
    private readonly ShadowComparison _comparison = new();
    private long _dropped, _failed;

    public ShadowMirror(string endpoint, string variant, ServedModel model, InferenceLog? log, int capacity = DefaultCapacity)
    {
        (_endpoint, _variant, _model, _log) = (endpoint, variant, model, log);
        _queue = new BlockingCollection<ShadowCopy>(capacity);
        _thread = new Thread(Run) { IsBackground = true, Name = $"cairn-shadow-{variant}" };
        _thread.Start();
    }

    /// <summary>Copies waiting at most: small, so that copies are scored (and collected) young.</summary>
    public const int DefaultCapacity = 512;

    public string Variant => _variant;
    public ServedModel Model => _model;

    /// <summary>Queues a copy; false (and counted) when the queue is full. Never blocks.</summary>
    public bool Offer(ShadowCopy copy)
    {
        if (_queue.IsAddingCompleted || !_queue.TryAdd(copy))
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        return true;
    }

    public ShadowSnapshot Snapshot() => _comparison.Snapshot(_variant, _model.Version, Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed));

    /// <summary>Most rows scored in one call: the copies waiting are scored together, fewer calls and fewer allocations per row.</summary>
    public const int MaxBatchRows = 256;

    private void Run()
    {
        BackgroundPriority.LowerCurrentThread();
        var batch = new List<ShadowCopy>();
        foreach (var first in _queue.GetConsumingEnumerable())
        {
            batch.Clear();
            batch.Add(first);
            var rows = first.Rows.Count;
            while (rows < MaxBatchRows && _queue.TryTake(out var next))
            {
                batch.Add(next);
                rows += next.Rows.Count;
            }
            Score(batch);
        }
    }

    private void Score(List<ShadowCopy> batch)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<IReadOnlyDictionary<string, object?>> results;
        var rows = batch.Count == 1 ? batch[0].Rows : batch.SelectMany(c => c.Rows).ToList();
        try
        {
            // The predictor itself, on this thread: a batcher would score on pool threads at normal priority.
            results = _model.Dispatch is null ? _model.Predictor.Predict(rows) : _model.PredictAsync(rows).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            Interlocked.Add(ref _failed, batch.Count);
            return;
        }
        // Each copy is charged the time of the call that scored it (with the copies batched beside it).
        var latency = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var at = 0;
        foreach (var copy in batch)
        {
            var own = batch.Count == 1 ? results : results.Skip(at).Take(copy.Rows.Count).ToList();
            at += copy.Rows.Count;
            _comparison.Add(copy.PrimaryResults, own, copy.PrimaryLatencyMs, latency);
            _log?.Append(new InferenceEntry(copy.RequestId, copy.Timestamp, _endpoint, _model.Version, copy.Protocol, copy.Rows, own, latency, _variant));
        }
    }

    /// <summary>Scores what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.CompleteAdding();
        await Task.Run(() => _thread.Join(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
        _queue.Dispose();
    }
}
