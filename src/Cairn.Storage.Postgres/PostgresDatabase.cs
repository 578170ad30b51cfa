using System.Data.Common;
using Cairn.Storage.Sql;
using Cairn.Tracking;
using Npgsql;
using NpgsqlTypes;
using Polly;
using Polly.Retry;

namespace Cairn.Storage.Postgres;

/// <summary>
/// PostgreSQL as the metadata database of one or more stateless servers. Writes run in a
/// transaction that is retried as a whole, with exponential backoff for about 30 seconds, when the
/// server is unreachable or restarting; an error reaches the caller only when the write failed,
/// never after it was committed and acknowledged. Metric rows are appended with binary COPY.
/// </summary>
public sealed class PostgresDatabase : SqlDatabase
{
    private readonly NpgsqlDataSource _source;
    private readonly ResiliencePipeline _retry;

    public static SqlDialect PostgresDialect { get; } = new(
        "postgresql",
        CaseSensitiveLike: (column, pattern) => $"{column} LIKE {pattern}",
        CaseInsensitiveLike: (column, pattern) => $"{column} ILIKE {pattern}",
        CaseSensitivePattern: pattern => pattern,
        ForUpdate: " FOR UPDATE",
        NextExperimentId: "SELECT nextval('experiment_ids')");

    public override SqlDialect Dialect => PostgresDialect;
    public override string Description { get; }

    private PostgresDatabase(NpgsqlDataSource source, string description, TimeSpan? retryFor)
    {
        _source = source;
        Description = description;
        var budget = retryFor ?? RetryBudgetFromEnvironment();
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(2),
                UseJitter = true,
                MaxRetryAttempts = Math.Max(1, (int)(budget.TotalSeconds / 1.5)),
                OnRetry = args =>
                {
                    Console.Error.WriteLine($"cairn: the database {description} is unavailable ({Secrets.Redact(args.Outcome.Exception?.Message)}); retrying in {args.RetryDelay.TotalMilliseconds:F0} ms (attempt {args.AttemptNumber + 1}).");
                    _source.Clear(); // pooled connections to a restarted server are dead
                    return default;
                },
            })
            .Build();
    }

    /// <summary>How long to keep retrying a database that is unreachable: <c>CAIRN_DB_RETRY_SECONDS</c>, default 30.</summary>
    public static TimeSpan RetryBudgetFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("CAIRN_DB_RETRY_SECONDS"), out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(30);

    /// <summary>Connects (postgresql://user:password@host:port/database, or an Npgsql connection string) and migrates the schema.</summary>
    public static async Task<PostgresDatabase> OpenAsync(string uri, TimeSpan? retryFor = null, CancellationToken ct = default)
    {
        var builder = ConnectionString(uri);
        var description = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        var database = new PostgresDatabase(new NpgsqlDataSourceBuilder(builder.ConnectionString).Build(), description, retryFor);
        try
        {
            await database._retry.ExecuteAsync(async token => await PostgresSchema.MigrateAsync(database._source, description, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            database.Dispose();
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"Cannot use the PostgreSQL database {description}: {Secrets.Redact(e.Message)}", e);
        }
        return database;
    }

    public static PostgresDatabase Open(string uri, TimeSpan? retryFor = null) => OpenAsync(uri, retryFor).GetAwaiter().GetResult();

    public static NpgsqlConnectionStringBuilder ConnectionString(string uri)
    {
        if (!uri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) && !uri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return new NpgsqlConnectionStringBuilder(uri);
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
            throw CairnException.InvalidParameter($"'{Secrets.Redact(uri)}' is not a PostgreSQL URI: use postgresql://user:password@host:5432/database.");
        var userInfo = parsed.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = parsed.Host,
            Port = parsed.Port > 0 ? parsed.Port : 5432,
            Database = Uri.UnescapeDataString(parsed.AbsolutePath.Trim('/')) is { Length: > 0 } db ? db : "cairn",
            Username = userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
            MaxPoolSize = 50,
        };
        foreach (var pair in parsed.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv[0] == "sslmode" && kv.Length == 2 && Enum.TryParse<SslMode>(kv[1], ignoreCase: true, out var mode)) builder.SslMode = mode;
        }
        return builder;
    }

    public override DbConnection Open() => _retry.Execute(() => _source.OpenConnection());

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken ct)
    {
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                await using var connection = await _source.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                var result = work(connection, transaction);
                await transaction.CommitAsync(token).ConfigureAwait(false);
                return result;
            }, ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another server created the same thing between our check and our insert.
            throw CairnException.AlreadyExists($"It already exists (created concurrently): {e.ConstraintName ?? e.MessageText}.");
        }
        catch (NpgsqlException e) when (e.IsTransient)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"The database {Description} stayed unreachable through the retries: {e.Message}", e);
        }
    }

    public override void AppendMetrics(DbConnection connection, DbTransaction transaction, long runRowId, IReadOnlyList<Metric> metrics)
    {
        using var import = ((NpgsqlConnection)connection).BeginBinaryImport(
            "COPY metrics (run_id, key, value, timestamp, step, is_nan) FROM STDIN (FORMAT BINARY)");
        foreach (var m in metrics)
        {
            var isNan = double.IsNaN(m.Value);
            import.StartRow();
            import.Write(runRowId, NpgsqlDbType.Bigint);
            import.Write(m.Key, NpgsqlDbType.Text);
            import.Write(isNan ? 0.0 : m.Value, NpgsqlDbType.Double);
            import.Write(m.Timestamp, NpgsqlDbType.Bigint);
            import.Write(m.Step, NpgsqlDbType.Bigint);
            import.Write(isNan ? 1 : 0, NpgsqlDbType.Integer);
        }
        import.Complete();
    }

    /// <summary>Bulk rows through COPY in text format (values escaped as COPY requires).</summary>
    public override long BulkInsert(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        using var writer = ((NpgsqlConnection)connection).BeginTextImport($"COPY {table} ({string.Join(", ", columns)}) FROM STDIN");
        long count = 0;
        var line = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0) line.Append('\t');
                line.Append(CopyText(row[i]));
            }
            writer.Write(line.Append('\n').ToString());
            count++;
        }
        return count;
    }

    private static string CopyText(object? value) => value switch
    {
        null => "\\N",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r"),
    };

    public override void AfterBulkCopy(DbConnection connection, DbTransaction transaction)
    {
        SqlCommands.Exec(connection, transaction, "SELECT setval('experiment_ids', GREATEST((SELECT COALESCE(MAX(experiment_id), 0) FROM experiments), 1))");
        SqlCommands.Exec(connection, transaction, "SELECT setval(pg_get_serial_sequence('runs', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM runs), 1))");
        SqlCommands.Exec(connection, transaction, "SELECT setval(pg_get_serial_sequence('model_transitions', 'seq'), GREATEST((SELECT COALESCE(MAX(seq), 0) FROM model_transitions), 1))");
    }

    public override void Dispose() => _source.Dispose();
}

/// <summary>The tracking and registry stores of one PostgreSQL database.</summary>
public sealed class PostgresStores : IDisposable
{
    public PostgresDatabase Database { get; }
    public SqlTrackingStore Tracking { get; }
    public SqlRegistryStore Registry { get; }
    public SqlDatasetStore Datasets { get; }
    public SqlPipelineScheduleStore Schedules { get; }
    public SqlMonitorStore Monitors { get; }
    public SqlEndpointStore Endpoints { get; }
    public SqlFeatureDefinitionStore Features { get; }
    public SqlLoggedModelStore LoggedModels { get; }
    public SqlIdentityStore Identity { get; }
    /// <summary>The audit log of changing requests, in the same database.</summary>
    public SqlAuditStore Audit { get; }

    private PostgresStores(PostgresDatabase database, TimeProvider? time)
    {
        Database = database;
        Tracking = new SqlTrackingStore(database, time);
        Registry = new SqlRegistryStore(database, time);
        Datasets = new SqlDatasetStore(database, time);
        Schedules = new SqlPipelineScheduleStore(database, time);
        Monitors = new SqlMonitorStore(database, time);
        Endpoints = new SqlEndpointStore(database, time);
        Features = new SqlFeatureDefinitionStore(database, time);
        LoggedModels = new SqlLoggedModelStore(database, time);
        Identity = new SqlIdentityStore(database, time);
        Audit = new SqlAuditStore(database, time);
    }

    public static async Task<PostgresStores> OpenAsync(string uri, TimeProvider? time = null, CancellationToken ct = default) =>
        new(await PostgresDatabase.OpenAsync(uri, ct: ct).ConfigureAwait(false), time);

    public void Dispose() => Database.Dispose();
}
