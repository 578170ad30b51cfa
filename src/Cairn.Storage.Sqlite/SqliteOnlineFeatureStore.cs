using System.Collections.Concurrent;
using Cairn.Features;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>
/// The embedded online store: one SQLite file in WAL mode (readers never wait for a writer).
/// One row per (view, entity key) holding the event time and all the row's values as one compact
/// payload (<see cref="OnlinePayload"/>): a lookup is one primary-key probe that reads one small
/// record, a view needs no table or DDL of its own, and a view that gains a feature needs no
/// migration. Newer-wins is enforced by the upsert itself, so it also holds between processes.
/// </summary>
public sealed class SqliteOnlineFeatureStore : IOnlineFeatureStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS online_features (
            view TEXT NOT NULL,
            entity_key TEXT NOT NULL,
            event_time INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (view, entity_key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS online_view_state (
            view TEXT NOT NULL PRIMARY KEY,
            materialized_until INTEGER,
            newest_event_time INTEGER
        );
        """;

    // max() of SQLite is null when either side is: coalesce keeps the one that is known.
    private const string MergeState = """
        INSERT INTO online_view_state (view, materialized_until, newest_event_time) VALUES ($view, $until, $newest)
        ON CONFLICT (view) DO UPDATE SET
            materialized_until = coalesce(max(materialized_until, excluded.materialized_until), materialized_until, excluded.materialized_until),
            newest_event_time = coalesce(max(newest_event_time, excluded.newest_event_time), newest_event_time, excluded.newest_event_time)
        """;

    // On an equal event time the later write wins (>=): re-materializing a period replaces its values.
    private const string Upsert = """
        INSERT INTO online_features (view, entity_key, event_time, payload) VALUES ($view, $key, $time, $payload)
        ON CONFLICT (view, entity_key) DO UPDATE SET event_time = excluded.event_time, payload = excluded.payload
        WHERE excluded.event_time >= online_features.event_time
        """;

    private const string Select = "SELECT event_time, payload FROM online_features WHERE view = $view AND entity_key = $key";

    // Many keys in one statement: the keys travel as one JSON array and come back with their
    // position, so a batch costs one statement step per found row instead of one statement per key.
    // CROSS JOIN keeps json_each as the outer loop (SQLite never reorders it): one primary-key probe per key, never a scan.
    private const string SelectMany = """
        SELECT k.key, o.event_time, o.payload FROM json_each($keys) AS k
        CROSS JOIN online_features AS o ON o.view = $view AND o.entity_key = k.value
        """;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentBag<PreparedLookup> _lookups = [];
    private bool _disposed;

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the online store in the SQLite file at <paramref name="path"/>.</summary>
    public SqliteOnlineFeatureStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Cache = SqliteCacheMode.Private, Pooling = true, DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, Schema);
    }

    /// <inheritdoc />
    public async Task<long> WriteAsync(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows, CancellationToken ct = default)
    {
        var encoded = OnlineFeatureBatch.Encode(view, features, rows);
        if (encoded.Count == 0) return 0;
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var connection = Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = new SqliteCommand(Upsert, connection, transaction);
            var viewParameter = command.Parameters.Add("$view", SqliteType.Text);
            var key = command.Parameters.Add("$key", SqliteType.Text);
            var time = command.Parameters.Add("$time", SqliteType.Integer);
            var payload = command.Parameters.Add("$payload", SqliteType.Blob);
            viewParameter.Value = view;
            command.Prepare();
            long written = 0;
            foreach (var row in encoded)
            {
                ct.ThrowIfCancellationRequested();
                key.Value = row.Key;
                time.Value = row.EventTimeMicros;
                payload.Value = OnlinePayload.Encode(row.Values);
                written += command.ExecuteNonQuery();
            }
            transaction.Commit();
            return written;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw Busy(e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OnlineFeatureValues?>> ReadAsync(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features, CancellationToken ct = default)
    {
        OnlineFeatureBatch.CheckRead(view, keys, features);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var encodedKeys = keys.Select(OnlineFeatureKeys.Encode).ToArray();
        var lookup = _lookups.TryTake(out var pooled) ? pooled : new PreparedLookup(Open());
        try
        {
            ct.ThrowIfCancellationRequested();
            var results = encodedKeys.Length == 1 ? [lookup.Find(view, encodedKeys[0], features)] : lookup.FindMany(view, encodedKeys, features);
            _lookups.Add(lookup);
            return Task.FromResult<IReadOnlyList<OnlineFeatureValues?>>(results);
        }
        catch
        {
            lookup.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DropViewAsync(string view, CancellationToken ct = default)
    {
        OnlineFeatureKeys.EscapeName(view);
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = new SqliteCommand("DELETE FROM online_features WHERE view = $view; DELETE FROM online_view_state WHERE view = $view", connection, transaction);
            command.Parameters.AddWithValue("$view", view);
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            throw Busy(e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc />
    public Task<OnlineViewState?> GetViewStateAsync(string view, CancellationToken ct = default)
    {
        OnlineFeatureKeys.EscapeName(view);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = new SqliteCommand("SELECT materialized_until, newest_event_time FROM online_view_state WHERE view = $view", connection);
        command.Parameters.AddWithValue("$view", view);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return Task.FromResult<OnlineViewState?>(null);
        DateTimeOffset? Instant(int column) => reader.IsDBNull(column) ? null : OnlineValueCodec.FromUnixMicroseconds(reader.GetInt64(column));
        return Task.FromResult<OnlineViewState?>(new OnlineViewState(Instant(0), Instant(1)));
    }

    /// <inheritdoc />
    public async Task RecordViewStateAsync(string view, OnlineViewState state, CancellationToken ct = default)
    {
        OnlineFeatureKeys.EscapeName(view);
        ArgumentNullException.ThrowIfNull(state);
        if (state.MaterializedUntil is null && state.NewestEventTime is null) return;
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var connection = Open();
            using var command = new SqliteCommand(MergeState, connection);
            command.Parameters.AddWithValue("$view", view);
            command.Parameters.AddWithValue("$until", state.MaterializedUntil is { } until ? OnlineValueCodec.ToUnixMicroseconds(until) : DBNull.Value);
            command.Parameters.AddWithValue("$newest", state.NewestEventTime is { } newest ? OnlineValueCodec.ToUnixMicroseconds(newest) : DBNull.Value);
            command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            throw Busy(e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Closes the pooled read connections.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_lookups.TryTake(out var lookup)) lookup.Dispose();
        return ValueTask.CompletedTask;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private CairnException Busy(SqliteException e) =>
        new(ErrorCodes.TemporarilyUnavailable, $"The online store {Path} is locked by another process; retry.", e);

    /// <summary>A read connection with its lookup prepared once: a read is then one step of a compiled statement.</summary>
    private sealed class PreparedLookup : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _view;
        private readonly SqliteParameter _key;
        private readonly SqliteCommand _many;
        private readonly SqliteParameter _manyView;
        private readonly SqliteParameter _manyKeys;

        public PreparedLookup(SqliteConnection connection)
        {
            _connection = connection;
            _command = new SqliteCommand(Select, connection);
            _view = _command.Parameters.Add("$view", SqliteType.Text);
            _key = _command.Parameters.Add("$key", SqliteType.Text);
            _command.Prepare();
            _many = new SqliteCommand(SelectMany, connection);
            _manyView = _many.Parameters.Add("$view", SqliteType.Text);
            _manyKeys = _many.Parameters.Add("$keys", SqliteType.Text);
            _many.Prepare();
        }

        public OnlineFeatureValues?[] FindMany(string view, string[] keys, IReadOnlyList<string> features)
        {
            var results = new OnlineFeatureValues?[keys.Length];
            if (keys.Length == 0) return results;
            _manyView.Value = view;
            _manyKeys.Value = System.Text.Json.JsonSerializer.Serialize(keys);
            using var reader = _many.ExecuteReader();
            while (reader.Read())
            {
                var time = OnlineValueCodec.FromUnixMicroseconds(reader.GetInt64(1));
                results[reader.GetInt32(0)] = new OnlineFeatureValues(time, OnlinePayload.Decode((byte[])reader.GetValue(2), features));
            }
            return results;
        }

        public OnlineFeatureValues? Find(string view, string key, IReadOnlyList<string> features)
        {
            _view.Value = view;
            _key.Value = key;
            using var reader = _command.ExecuteReader();
            if (!reader.Read()) return null;
            var time = OnlineValueCodec.FromUnixMicroseconds(reader.GetInt64(0));
            var payload = (byte[])reader.GetValue(1);
            return new OnlineFeatureValues(time, OnlinePayload.Decode(payload, features));
        }

        public void Dispose()
        {
            _command.Dispose();
            _many.Dispose();
            _connection.Dispose();
        }
    }
}
