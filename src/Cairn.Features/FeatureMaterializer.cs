using System.Globalization;
using System.Threading.Channels;
using DuckDB.NET.Data;

namespace Cairn.Features;

/// <summary>How a materialization reads and writes.</summary>
public sealed record MaterializeOptions
{
    /// <summary>The folder relative source paths are resolved against (null: the current folder).</summary>
    public string? SourceRoot { get; init; }
    /// <summary>Rows per write to the online store.</summary>
    public int BatchSize { get; init; } = 10_000;
    /// <summary>The folder of pushed rows (see <see cref="FeaturePush"/>): read after each view's source; null: no pushes.</summary>
    public string? PushLogRoot { get; init; }
    /// <summary>Finds the files of the dataset versions that <c>dataset</c> sources read; null: such sources are refused.</summary>
    public FeatureDatasetResolver? DatasetResolver { get; init; }
}

/// <summary>What one view's materialization wrote.</summary>
public sealed record MaterializedView(string View, long Keys, long Written, DateTimeOffset? NewestEventTime)
{
    /// <summary>The start of the interval materialized (events from this instant).</summary>
    public DateTimeOffset Start { get; init; }
    /// <summary>The end of the interval materialized (events before this instant); when it is not after <see cref="Start"/> the view was already up to date and nothing was read.</summary>
    public DateTimeOffset End { get; init; }
}

/// <summary>
/// Loads the latest values of feature views into an online store (Feast's <c>materialize</c>): per
/// view, for each entity key, the source row with the latest event time in the interval (ties: the
/// row read last, as for training sets). The store keeps what is newer, so running it twice, or on
/// overlapping intervals, never moves a value back in time. Each view's end and newest event time
/// are recorded in the store (<see cref="OnlineViewState"/>), so that the next incremental run starts
/// where this one ended.
/// </summary>
public static class FeatureMaterializer
{
    private const string Reserved = "__cairn_";

    /// <summary>Materializes <paramref name="views"/> (null: every view marked online) for events in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE, before anything is written, for an unknown or offline-only view,
    /// an empty interval, or a source without a declared column or with another type.</exception>
    public static async Task<IReadOnlyList<MaterializedView>> MaterializeAsync(FeatureRepository repository, IOnlineFeatureStore store,
        IReadOnlyList<string>? views, DateTimeOffset start, DateTimeOffset end, MaterializeOptions? options = null, CancellationToken ct = default)
    {
        options ??= new MaterializeOptions();
        if (end <= start) throw CairnException.InvalidParameter($"Nothing to materialize: the end ({end:O}) is not after the start ({start:O}).");
        if (options.BatchSize < 1) throw CairnException.InvalidParameter($"The batch size must be at least 1; got {options.BatchSize}.");
        var selected = Select(repository, views);
        return await RunAsync(store, [.. selected.Select(v => (v, start))], end, options, ct);
    }

    /// <summary>
    /// Materializes <paramref name="views"/> (null: every view marked online) up to <paramref name="end"/>, each from where
    /// its last materialization ended (Feast's <c>materialize-incremental</c>); the first time, from <paramref name="end"/>
    /// minus the view's TTL. A view already materialized up to <paramref name="end"/> is left as it is.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE, before anything is written, for a view never materialized that has no TTL
    /// (materialize it once with a start), and as <see cref="MaterializeAsync"/>.</exception>
    public static async Task<IReadOnlyList<MaterializedView>> MaterializeIncrementalAsync(FeatureRepository repository, IOnlineFeatureStore store,
        IReadOnlyList<string>? views, DateTimeOffset end, MaterializeOptions? options = null, CancellationToken ct = default)
    {
        options ??= new MaterializeOptions();
        if (options.BatchSize < 1) throw CairnException.InvalidParameter($"The batch size must be at least 1; got {options.BatchSize}.");
        var plan = new List<(SelectedView View, DateTimeOffset Start)>();
        foreach (var view in Select(repository, views))
        {
            var state = await store.GetViewStateAsync(view.View.Name, ct);
            var start = state?.MaterializedUntil ?? (view.View.Ttl is { } ttl
                ? (ttl < end - DateTimeOffset.UnixEpoch ? end - ttl : DateTimeOffset.UnixEpoch)
                : throw CairnException.InvalidParameter(
                    $"Feature view '{view.View.Name}' has never been materialized and has no ttl to start from: run `cairn features materialize --start ... --view {view.View.Name}` once, or give the view a ttl."));
            plan.Add((view, start));
        }
        return await RunAsync(store, plan, end, options, ct);
    }

    private static async Task<IReadOnlyList<MaterializedView>> RunAsync(IOnlineFeatureStore store, List<(SelectedView View, DateTimeOffset Start)> plan,
        DateTimeOffset end, MaterializeOptions options, CancellationToken ct)
    {
        using var session = await DuckDbSession.OpenAsync(ct);
        var relations = new List<string>();
        // All checked before any write; a PostgreSQL source reads only the view's interval.
        foreach (var (view, start) in plan) relations.Add(await FeatureViewRelation.OpenAsync(session, view, new SourceReading(options.SourceRoot, options.DatasetResolver, start, end), ct));
        var results = new List<MaterializedView>();
        for (var i = 0; i < plan.Count; i++)
        {
            var (view, start) = plan[i];
            if (start >= end)
            {
                results.Add(new MaterializedView(view.View.Name, 0, 0, null) { Start = start, End = end });
                continue;
            }
            var result = await MaterializeViewAsync(session, store, view, relations[i], start, end, options.BatchSize, options.PushLogRoot, ct);
            await store.RecordViewStateAsync(view.View.Name, new OnlineViewState(end, result.NewestEventTime), ct);
            results.Add(result with { Start = start, End = end });
        }
        return results;
    }

    private static List<SelectedView> Select(FeatureRepository repository, IReadOnlyList<string>? names)
    {
        var chosen = names is null
            ? repository.Views.Where(v => v.Online).ToList()
            : names.Distinct().Select(name => repository.Views.FirstOrDefault(v => v.Name == name)
                ?? throw CairnException.InvalidParameter($"Unknown feature view '{name}'; declared views: {string.Join(", ", repository.Views.Select(v => v.Name))}.")).ToList();
        var offline = chosen.FirstOrDefault(v => !v.Online);
        if (offline is not null) throw CairnException.InvalidParameter($"Feature view '{offline.Name}' is not served online (online: false), so it is not materialized.");
        if (chosen.Count == 0) throw CairnException.InvalidParameter("No feature view to materialize: declare one with online: true, or name one.");
        return chosen.Select(v => FeatureSelection.Resolve(repository, [.. v.Features.Select(f => new FeatureReference(v.Name, f.Name))], fullFeatureNames: true)[0]).ToList();
    }

    private static async Task<MaterializedView> MaterializeViewAsync(DuckDbSession session, IOnlineFeatureStore store, SelectedView view, string relation,
        DateTimeOffset start, DateTimeOffset end, int batchSize, string? pushLogRoot, CancellationToken ct)
    {
        var keys = view.JoinKeys.Select(k => DuckDbSql.Identifier(k.Name)).ToList();
        var timestamp = DuckDbSql.Identifier(view.Source.TimestampField);
        var features = view.Features.Select(f => f.Field).ToList();
        var values = features.Select(f => f.Type == FeatureType.Timestamp
            ? $"epoch_us(CAST({DuckDbSql.Identifier(f.Name)} AS TIMESTAMPTZ))"
            : $"CAST({DuckDbSql.Identifier(f.Name)} AS {DuckDbSql.TypeOf(f.Type)})");
        var table = $"{Reserved}materialize";
        await FeaturePushLog.CopyAsync(session, view, relation, table, pushLogRoot, ct);
        var micros = $"epoch_us(CAST({timestamp} AS TIMESTAMPTZ))";
        var sql = string.Create(CultureInfo.InvariantCulture,
            $"SELECT {string.Join(", ", keys)}, {micros} AS {Reserved}ts, {string.Join(", ", values)} FROM {table} " +
            $"WHERE {micros} >= {ToMicros(start)} AND {micros} < {ToMicros(end)} AND {string.Join(" AND ", keys.Select(k => $"{k} IS NOT NULL"))} " +
            $"QUALIFY row_number() OVER (PARTITION BY {string.Join(", ", keys)} ORDER BY {micros} DESC, rowid DESC) = 1");

        // DuckDB reads on a worker thread while batches are written to the store; a failed write stops the reading.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<OnlineFeatureRow>>(2);
        long keysRead = 0, written = 0, newest = long.MinValue;
        var reading = session.ReadAsync(sql, reader =>
        {
            var batch = new List<OnlineFeatureRow>(batchSize);
            while (reader.Read())
            {
                var key = new object[keys.Count];
                for (var k = 0; k < key.Length; k++) key[k] = view.JoinKeys[k].Type == FeatureType.Int64 ? reader.GetInt64(k) : reader.GetString(k);
                var eventMicros = reader.GetInt64(keys.Count);
                newest = Math.Max(newest, eventMicros);
                var row = new Dictionary<string, object?>(features.Count, StringComparer.Ordinal);
                for (var f = 0; f < features.Count; f++) row[features[f].Name] = Value(reader, keys.Count + 1 + f, features[f].Type);
                batch.Add(new OnlineFeatureRow(key, FromMicros(eventMicros), row));
                keysRead++;
                if (batch.Count == batchSize)
                {
                    batches.Writer.WriteAsync(batch, stop.Token).AsTask().GetAwaiter().GetResult();
                    batch = new List<OnlineFeatureRow>(batchSize);
                }
            }
            if (batch.Count > 0) batches.Writer.WriteAsync(batch, stop.Token).AsTask().GetAwaiter().GetResult();
        }, stop.Token, $"Reading feature view '{view.View.Name}' for materialization");
        var closing = reading.ContinueWith(t => batches.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
                written += await store.WriteAsync(view.View.Name, features, batch, ct);
        }
        catch
        {
            await stop.CancelAsync();
            try { await reading; } catch (OperationCanceledException) { }
            throw;
        }
        await reading; // a read failure surfaces after what was read has been written
        await closing;
        return new MaterializedView(view.View.Name, keysRead, written, newest == long.MinValue ? null : FromMicros(newest));
    }

    private static object? Value(DuckDBDataReader reader, int column, FeatureType type) => reader.IsDBNull(column) ? null : type switch
    {
        FeatureType.Int64 => reader.GetInt64(column),
        FeatureType.Double => reader.GetDouble(column),
        FeatureType.String => reader.GetString(column),
        FeatureType.Bool => reader.GetBoolean(column),
        FeatureType.Timestamp => FromMicros(reader.GetInt64(column)),
        _ => null,
    };

    private static long ToMicros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);
}
