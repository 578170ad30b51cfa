using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Cairn.Security;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>The audit log in the metadata database (see <see cref="AuditSchema"/>).</summary>
public sealed class SqlAuditStore(SqlDatabase database, TimeProvider? time = null) : IAuditStore
{
    private const string Columns = "seq, event_time, username, remote_address, method, path, resources, status_code, previous_hash, hash";
    private const int MaxListed = 10_000;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task<AuditEntry> AppendAsync(AuditEvent e, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        return database.WriteAsync((c, t) =>
        {
            // Taken first, so that concurrent appends queue here and each reads the true last entry.
            ScalarLong(c, t, "SELECT id FROM audit_append_lock WHERE id = 1" + database.Dialect.ForUpdate);
            long sequence = 1;
            var previous = AuditEntry.GenesisHash;
            using (var last = Command(c, t, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", []))
            using (var reader = last.ExecuteReader())
            {
                if (reader.Read()) (sequence, previous) = (reader.GetInt64(0) + 1, reader.GetString(1));
            }
            var entry = AuditEntry.Chain(sequence, _time.GetUtcNow().ToUnixTimeMilliseconds(), e, previous);
            Exec(c, t, $"INSERT INTO audit_log ({Columns}) VALUES (@seq, @time, @user, @address, @method, @path, @resources, @status, @previous, @hash)",
                ("@seq", entry.Sequence), ("@time", entry.Time), ("@user", entry.Username), ("@address", entry.RemoteAddress), ("@method", entry.Method),
                ("@path", entry.Path), ("@resources", entry.Resources), ("@status", (long)entry.StatusCode), ("@previous", entry.PreviousHash), ("@hash", entry.Hash));
            return entry;
        }, ct);
    }

    public Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MaxResults is < 1 or > MaxListed)
            throw CairnException.InvalidParameter($"Invalid value {query.MaxResults} for the number of audit entries: it must be between 1 and {MaxListed}.");
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string, object?)> { ("@max", (long)query.MaxResults) };
        if (query.Since is { } since) { where.Append(" AND event_time >= @since"); parameters.Add(("@since", since)); }
        if (query.Until is { } until) { where.Append(" AND event_time < @until"); parameters.Add(("@until", until)); }
        if (query.Username is { } user) { where.Append(" AND username = @user"); parameters.Add(("@user", user)); }
        using var c = database.Open();
        using var command = Command(c, null, $"SELECT {Columns} FROM audit_log {where} ORDER BY seq DESC LIMIT @max", parameters);
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read()) entries.Add(Read(reader));
        return Task.FromResult<IReadOnlyList<AuditEntry>>(entries);
    }

    public async IAsyncEnumerable<AuditEntry> ReadChainAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        using var c = database.Open();
        using var command = Command(c, null, $"SELECT {Columns} FROM audit_log ORDER BY seq", []);
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) yield return Read(reader);
    }

    private static AuditEntry Read(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
        r.GetString(4), r.GetString(5), r.GetString(6), checked((int)r.GetInt64(7)), r.GetString(8), r.GetString(9));
}
