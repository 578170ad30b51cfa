using System.Globalization;
using System.Text;
using Cairn.Features;
using StackExchange.Redis;

namespace Cairn.Storage.Redis;

/// <summary>
/// The online store on Redis. One hash per (view, entity key), at
/// <c>{prefix}{view}:{key}</c> with the view and key in their canonical escaped text
/// (<see cref="OnlineFeatureKeys"/>): field <c>""</c> holds the event time (ISO 8601, UTC, to the
/// microsecond, so that it sorts as text), each other field one non-null feature value
/// (<see cref="OnlineValueCodec"/>). A row is written by a small Lua script that replaces the hash
/// only when the stored event time is not newer, atomically; rows are pipelined, and so are reads.
/// A view's state is one more hash under the view's prefix, <c>{prefix}{view}:!state</c>: entity
/// keys always start with their type letter, so no key can be <c>!state</c>, and dropping the view
/// removes it with the rows.
/// </summary>
public sealed class RedisOnlineFeatureStore : IOnlineFeatureStore
{
    /// <summary>The key prefix when none is configured.</summary>
    public const string DefaultKeyPrefix = "cairn:features:";

    // The stored time wins only when strictly newer: on an equal time the later write replaces it.
    private const string WriteRow = """
        local stored = redis.call('HGET', KEYS[1], '')
        if stored and stored > ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], '', unpack(ARGV))
        return 1
        """;

    // Fields 'materialized_until' and 'newest_event_time' only move forward; an empty argument leaves a field as it is.
    private const string MergeState = """
        local fields = {'materialized_until', 'newest_event_time'}
        for i = 1, 2 do
            if ARGV[i] ~= '' then
                local stored = redis.call('HGET', KEYS[1], fields[i])
                if not stored or stored < ARGV[i] then redis.call('HSET', KEYS[1], fields[i], ARGV[i]) end
            end
        end
        return 1
        """;

    private const string StateKey = "!state";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const int PipelineChunk = 10_000;

    private readonly IConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly string _prefix;

    private RedisOnlineFeatureStore(IConnectionMultiplexer connection, string prefix)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        _prefix = prefix;
    }

    /// <summary>Connects to the Redis at <paramref name="uri"/> (<c>redis://host:port/db</c>).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad URI; TEMPORARILY_UNAVAILABLE when Redis cannot be reached.</exception>
    public static async Task<RedisOnlineFeatureStore> ConnectAsync(string uri, string keyPrefix = DefaultKeyPrefix, CancellationToken ct = default)
    {
        var options = RedisConnectionUri.Parse(uri);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ct.ThrowIfCancellationRequested();
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(ct).ConfigureAwait(false);
            return new RedisOnlineFeatureStore(connection, keyPrefix);
        }
        catch (RedisConnectionException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable,
                $"Cannot reach the Redis online store at {string.Join(", ", options.EndPoints)}: {e.Message.Split('\n')[0]} Check that it runs and the URI.", e);
        }
    }

    /// <summary>The Redis key of one entity of <paramref name="view"/>.</summary>
    public string KeyOf(string view, IReadOnlyList<object> key) => ViewPrefix(view) + OnlineFeatureKeys.Encode(key);

    /// <inheritdoc />
    public async Task<long> WriteAsync(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows, CancellationToken ct = default)
    {
        var encoded = OnlineFeatureBatch.Encode(view, features, rows);
        var prefix = ViewPrefix(view);
        long written = 0;
        for (var start = 0; start < encoded.Count; start += PipelineChunk)
        {
            ct.ThrowIfCancellationRequested();
            var batch = _database.CreateBatch();
            var pending = new Task<RedisResult>[Math.Min(PipelineChunk, encoded.Count - start)];
            for (var i = 0; i < pending.Length; i++)
            {
                var row = encoded[start + i];
                var arguments = new RedisValue[1 + 2 * row.Values.Count];
                arguments[0] = FormatTime(row.EventTimeMicros);
                for (var v = 0; v < row.Values.Count; v++)
                {
                    arguments[1 + 2 * v] = row.Values[v].Key;
                    arguments[2 + 2 * v] = row.Values[v].Value;
                }
                pending[i] = batch.ScriptEvaluateAsync(WriteRow, [prefix + row.Key], arguments);
            }
            batch.Execute();
            foreach (var result in await Guard(Task.WhenAll(pending)).ConfigureAwait(false)) written += (long)result;
        }
        return written;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OnlineFeatureValues?>> ReadAsync(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features, CancellationToken ct = default)
    {
        OnlineFeatureBatch.CheckRead(view, keys, features);
        var prefix = ViewPrefix(view);
        var fields = new RedisValue[features.Count + 1];
        fields[0] = "";
        for (var f = 0; f < features.Count; f++) fields[f + 1] = features[f];
        ct.ThrowIfCancellationRequested();

        RedisValue[][] replies;
        if (keys.Count == 1)
        {
            replies = [await Guard(_database.HashGetAsync(prefix + OnlineFeatureKeys.Encode(keys[0]), fields)).ConfigureAwait(false)];
        }
        else
        {
            var batch = _database.CreateBatch();
            var pending = keys.Select(key => batch.HashGetAsync(prefix + OnlineFeatureKeys.Encode(key), fields)).ToArray();
            batch.Execute();
            replies = await Guard(Task.WhenAll(pending)).ConfigureAwait(false);
        }
        return replies.Select(reply => Values(reply, features)).ToArray();
    }

    /// <inheritdoc />
    public async Task DropViewAsync(string view, CancellationToken ct = default)
    {
        var pattern = EscapeGlob(ViewPrefix(view)) + "*";
        foreach (var server in _connection.GetServers().Where(s => !s.IsReplica))
        {
            var doomed = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(_database.Database, pattern, pageSize: 1000).WithCancellation(ct).ConfigureAwait(false))
            {
                doomed.Add(key);
                if (doomed.Count < 1000) continue;
                await Guard(_database.KeyDeleteAsync([.. doomed])).ConfigureAwait(false);
                doomed.Clear();
            }
            if (doomed.Count > 0) await Guard(_database.KeyDeleteAsync([.. doomed])).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<OnlineViewState?> GetViewStateAsync(string view, CancellationToken ct = default)
    {
        var key = ViewPrefix(view) + StateKey;
        ct.ThrowIfCancellationRequested();
        var reply = await Guard(_database.HashGetAsync(key, ["materialized_until", "newest_event_time"])).ConfigureAwait(false);
        if (reply[0].IsNull && reply[1].IsNull) return null;
        return new OnlineViewState(reply[0].IsNull ? null : ParseTime(reply[0]!), reply[1].IsNull ? null : ParseTime(reply[1]!));
    }

    /// <inheritdoc />
    public async Task RecordViewStateAsync(string view, OnlineViewState state, CancellationToken ct = default)
    {
        var key = ViewPrefix(view) + StateKey;
        ArgumentNullException.ThrowIfNull(state);
        if (state.MaterializedUntil is null && state.NewestEventTime is null) return;
        ct.ThrowIfCancellationRequested();
        static RedisValue Text(DateTimeOffset? time) => time is { } t ? FormatTime(OnlineValueCodec.ToUnixMicroseconds(t)) : "";
        await Guard(_database.ScriptEvaluateAsync(MergeState, [key], [Text(state.MaterializedUntil), Text(state.NewestEventTime)])).ConfigureAwait(false);
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync() => await _connection.CloseAsync().ConfigureAwait(false);

    private string ViewPrefix(string view) => _prefix + OnlineFeatureKeys.EscapeName(view) + ":";

    private static OnlineFeatureValues? Values(RedisValue[] reply, IReadOnlyList<string> features)
    {
        if (reply[0].IsNull) return null;
        var values = new Dictionary<string, object?>(features.Count, StringComparer.Ordinal);
        for (var f = 0; f < features.Count; f++)
            values[features[f]] = reply[f + 1].IsNull ? null : OnlineValueCodec.Decode((byte[])reply[f + 1]!);
        return new OnlineFeatureValues(ParseTime(reply[0]!), values);
    }

    private static string FormatTime(long micros) =>
        OnlineValueCodec.FromUnixMicroseconds(micros).ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string EscapeGlob(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static async Task<T> Guard<T>(Task<T> operation)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"The Redis online store is unreachable: {e.Message.Split('\n')[0]}", e);
        }
        catch (RedisTimeoutException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"The Redis online store did not answer in time: {e.Message.Split('\n')[0]}", e);
        }
    }
}
