using System.Text.Json;
using System.Threading.Channels;


namespace Cairn.Serving;

/// <summary>An inference as the request path hands it over: references only, turned into columns later by the writer.</summary>
public sealed record InferenceEntry(string RequestId, long Timestamp, string Model, string Version, string Protocol,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Inputs, IReadOnlyList<IReadOnlyDictionary<string, object?>> Outputs, double LatencyMs);

/// <summary>
/// The inference log, the monitoring capability's input: sampled requests appended to Parquet
/// files partitioned by model and hour (<c>model=delay/date=2026-11-25/hour=13/part-*.parquet</c>),
/// written behind the request path by a thread of its own. One Parquet row per scored row, with
/// typed columns <c>input_&lt;name&gt;</c> and <c>output_&lt;name&gt;</c> (numbers as doubles, booleans,
/// strings; arrays as JSON), beside <c>request_id</c>, <c>row</c>, <c>timestamp</c>, <c>model</c>,
/// <c>version</c>, <c>protocol</c> and <c>latency_ms</c>. The buffer is bounded; when the writer
/// falls behind, rows are dropped and counted (a metric), never queued without limit. Each file is
/// written to a temp name and renamed, so readers never see a partial file.
/// </summary>
public sealed class InferenceLog : IAsyncDisposable
{
    private readonly string _folder;
    private readonly double _sampleRate;
    private readonly TimeProvider _time;
    private readonly Channel<InferenceEntry> _buffer;
    private readonly Task _writer;
    private readonly TimeSpan _flushEvery;
    private readonly CancellationTokenSource _stopping = new();
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);
    public string Folder => _folder;

    public InferenceLog(string folder, double sampleRate = 1.0, int capacity = 50_000, TimeSpan? flushEvery = null, TimeProvider? time = null)
    {
        if (sampleRate is < 0 or > 1) throw CairnException.InvalidParameter($"The inference log sampling rate must be between 0 and 1, got {sampleRate}.");
        _folder = Path.GetFullPath(folder);
        _sampleRate = sampleRate;
        _time = time ?? TimeProvider.System;
        _flushEvery = flushEvery ?? TimeSpan.FromMilliseconds(250); // small, frequent flushes: short bursts of work beside the requests
        Directory.CreateDirectory(_folder);
        _buffer = Channel.CreateBounded<InferenceEntry>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // A thread of its own at the lowest CPU priority: flushing never takes a thread-pool worker
        // or CPU time from the requests.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
            try { WriteLoop(); started.TrySetResult(); }
            catch (Exception e) { started.TrySetException(e); }
        }) { IsBackground = true, Name = "cairn-inference-log", Priority = ThreadPriority.BelowNormal };
        thread.Start();
        _writer = started.Task;
    }

    /// <summary>Offers an entry; sampled out or dropped when the buffer is full (counted), never blocking the request.</summary>
    public void Append(InferenceEntry record)
    {
        if (_sampleRate < 1 && Random.Shared.NextDouble() >= _sampleRate) return;
        if (_buffer.Writer.TryWrite(record)) return;
        Interlocked.Increment(ref _dropped);
    }

    /// <summary>Runs on the log's own thread, blocking there (never on the thread pool).</summary>
    private void WriteLoop()
    {
        var reader = _buffer.Reader;
        var pending = new List<InferenceEntry>();
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Let rows gather for a while, then write them in one go: one file per model and hour
            // per flush, and no per-row work for the writer while requests arrive.
            _stopping.Token.WaitHandle.WaitOne(_flushEvery);
            while (reader.TryRead(out var entry)) pending.Add(entry);
            FlushAsync(pending).GetAwaiter().GetResult();
            pending.Clear();
        }
    }

    private async Task FlushAsync(List<InferenceEntry> entries)
    {
        foreach (var group in entries.GroupBy(e => (e.Model, Hour: DateTimeOffset.FromUnixTimeMilliseconds(e.Timestamp).UtcDateTime.ToString("yyyy-MM-dd'/hour='HH"))))
        {
            var folder = Path.Combine(_folder, $"model={Safe(group.Key.Model)}", $"date={group.Key.Hour}");
            Directory.CreateDirectory(folder);
            var final = Path.Combine(folder, $"part-{_time.GetUtcNow().ToUnixTimeMilliseconds()}-{Guid.NewGuid():N}.parquet");
            var temp = final + ".tmp";
            await using (var stream = File.Create(temp))
                await InferenceColumns.WriteAsync(group.ToList(), stream).ConfigureAwait(false);
            File.Move(temp, final);
        }
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>Writes what is buffered, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _buffer.Writer.TryComplete();
        _stopping.Cancel(); // flush now instead of at the next interval
        await _writer.ConfigureAwait(false);
    }
}
