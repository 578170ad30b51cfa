using Cairn.Monitoring;

namespace Cairn.Serving;

/// <summary>An inference as the request path hands it over; the log copies its values and keeps nothing of it.</summary>
/// <param name="Variant">The endpoint variant that answered (or the shadow that scored a copy); null for a model served alone.</param>
public sealed record InferenceEntry(string RequestId, long Timestamp, string Model, string Version, string Protocol,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Inputs, IReadOnlyList<IReadOnlyDictionary<string, object?>> Outputs, double LatencyMs, string? Variant = null);

/// <summary>
/// The inference log, the monitoring capability's input: sampled requests appended to Parquet
/// files partitioned by model and hour (<c>model=delay/date=2026-11-25/hour=13/part-*.parquet</c>),
/// written behind the request path by a thread of its own at the lowest CPU priority. One Parquet
/// row per scored row, with typed columns <c>input_&lt;name&gt;</c> and <c>output_&lt;name&gt;</c>
/// (numbers as doubles, booleans, strings; arrays as JSON), beside <c>request_id</c>, <c>row</c>,
/// <c>timestamp</c>, <c>model</c>, <c>version</c>, <c>variant</c> (an endpoint's), <c>protocol</c> and <c>latency_ms</c>.
/// A request's values are copied into column buffers when it is logged (see
/// <see cref="InferenceBatch"/>), so the request itself is garbage as soon as it is answered. The
/// buffer is bounded in rows; when the writer falls behind, rows are dropped and counted (a
/// metric), never queued without limit. Each file is written to a temp name and renamed, so
/// readers never see a partial file.
/// </summary>
public sealed class InferenceLog : IAsyncDisposable
{
    /// <summary>Where one kind of request is logged: the batch being filled, and the one written last, kept for reuse.</summary>
    private sealed class Slot(InferenceBatch filling)
    {
        public InferenceBatch Filling = filling;
        public InferenceBatch? Spare;
    }

    private readonly string _folder;
    private readonly double _sampleRate;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly TimeSpan _flushEvery;
    private readonly Lock _lock = new();
    private readonly List<Slot> _slots = [];
    private readonly Task _writer;
    private readonly CancellationTokenSource _stopping = new();
    private long _buffered;
    private long _dropped;
    private int _deferred;
    private bool _stopped;

    /// <summary>Rows dropped because the buffer was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    public string Folder => _folder;

    /// <param name="capacity">Rows held in memory at most; more are dropped (and counted) until the writer catches up.</param>
    public InferenceLog(string folder, double sampleRate = 1.0, int capacity = 50_000, TimeSpan? flushEvery = null, TimeProvider? time = null)
    {
        if (sampleRate is < 0 or > 1) throw CairnException.InvalidParameter($"The inference log sampling rate must be between 0 and 1, got {sampleRate}.");
        _folder = Path.GetFullPath(folder);
        _sampleRate = sampleRate;
        _time = time ?? TimeProvider.System;
        _capacity = Math.Max(1, capacity);
        _flushEvery = flushEvery ?? TimeSpan.FromMilliseconds(250); // small, frequent flushes: short bursts of work beside the requests
        Directory.CreateDirectory(_folder);
        // A thread of its own at the lowest CPU priority: flushing never takes a thread-pool worker
        // or CPU time from the requests.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
            try { WriteLoop(); started.TrySetResult(); }
            catch (Exception e) { started.TrySetException(e); }
        }) { IsBackground = true, Name = "cairn-inference-log" };
        thread.Start();
        _writer = started.Task;
    }

    /// <summary>Requests of at least this many rows are copied in on a thread-pool thread, after the response, not before it.</summary>
    public const int DeferredRows = 1000;

    /// <summary>
    /// Copies an entry's values into the buffer; sampled out, or dropped when the buffer is full
    /// (counted), never blocking the request. A large request is copied in the background (it
    /// costs milliseconds), so the caller can answer first.
    /// </summary>
    public void Append(InferenceEntry entry)
    {
        if (_sampleRate < 1 && Random.Shared.NextDouble() >= _sampleRate) return;
        if (entry.Inputs.Count < DeferredRows)
        {
            Copy(entry);
            return;
        }
        Interlocked.Increment(ref _deferred);
        ThreadPool.UnsafeQueueUserWorkItem(state =>
        {
            try { state.log.Copy(state.entry); }
            finally { Interlocked.Decrement(ref state.log._deferred); }
        }, (log: this, entry), preferLocal: false);
    }

    private void Copy(InferenceEntry entry)
    {
        var rows = entry.Inputs.Count;
        lock (_lock)
        {
            if (_stopped || _buffered + rows > _capacity)
            {
                Interlocked.Add(ref _dropped, rows);
                return;
            }
            var slot = _slots.Find(s => s.Filling.Accepts(entry));
            if (slot is null)
            {
                slot = new Slot(new InferenceBatch(entry.Model, entry.Version, entry.Protocol, InferenceBatch.NamesOf(entry.Inputs), InferenceBatch.NamesOf(entry.Outputs)) { Variant = entry.Variant });
                _slots.Add(slot);
            }
            slot.Filling.Add(entry);
            _buffered += rows;
        }
    }

    /// <summary>Runs on the log's own thread, blocking there (never on the thread pool).</summary>
    private void WriteLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            _stopping.Token.WaitHandle.WaitOne(_flushEvery);
            Flush();
        }
        Flush();
    }

    private void Flush()
    {
        var full = new List<(Slot Slot, InferenceBatch Batch)>();
        lock (_lock)
        {
            foreach (var slot in _slots.Where(s => s.Filling.Count > 0))
            {
                full.Add((slot, slot.Filling));
                slot.Filling = slot.Spare ?? slot.Filling.Twin();
                slot.Spare = null;
            }
        }
        foreach (var (slot, batch) in full)
        {
            WriteAsync(batch).GetAwaiter().GetResult();
            var written = batch.Count;
            batch.Clear();
            lock (_lock)
            {
                slot.Spare = batch;
                _buffered -= written;
            }
        }
    }

    private async Task WriteAsync(InferenceBatch batch)
    {
        const long hourMs = InferenceLogLayout.HourMs;
        var hours = Enumerable.Range(0, batch.Count).GroupBy(i => batch.Timestamps[i] / hourMs).ToList();
        foreach (var hour in hours)
        {
            var folder = InferenceLogLayout.HourFolder(_folder, batch.Model, hour.Key * hourMs);
            Directory.CreateDirectory(folder);
            var final = Path.Combine(folder, $"part-{_time.GetUtcNow().ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}.parquet");
            var temp = final + ".tmp";
            await using (var stream = File.Create(temp))
                await InferenceColumns.WriteAsync(batch, hours.Count == 1 ? null : hour.ToArray(), stream).ConfigureAwait(false);
            File.Move(temp, final);
        }
    }

    /// <summary>Writes what is buffered, then stops; later entries are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        // Large entries being copied in the background were acknowledged to the log: let them land first.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Volatile.Read(ref _deferred) > 0 && DateTime.UtcNow < deadline) await Task.Delay(5).ConfigureAwait(false);
        lock (_lock) _stopped = true;
        _stopping.Cancel(); // flush now instead of at the next interval
        await _writer.ConfigureAwait(false);
    }
}
