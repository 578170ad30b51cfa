using System.Data.Common;
using System.Text.Json;
using Cairn.Deployments;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// Endpoints and their history in the metadata database. Every change is a compare-and-set on the
/// revision in one transaction with its event, so two writers never overwrite each other and no
/// change goes unrecorded.
/// </summary>
public sealed class SqlEndpointStore(SqlDatabase database, TimeProvider? time = null) : IEndpointStore
{
    private const string EndpointColumns = "name, spec, revision, creation_time, update_time";
    private const string EventColumns = "event_id, endpoint_name, revision, event_time, kind, message, actor";
    /// <summary>The next event number of an endpoint name; run only while that endpoint's row is locked (see <see cref="EndpointSchema"/>).</summary>
    private const string NextSeq = "(SELECT COALESCE(MAX(seq), 0) + 1 FROM endpoint_events WHERE endpoint_name = @n)";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static CairnException NoEndpoint(string name) =>
        CairnException.NotFound($"There is no endpoint named '{name}' (see `cairn deploy list`).");

    public async Task<EndpointRecord> CreateEndpointAsync(EndpointSpec spec, string actor, CancellationToken ct = default)
    {
        var s = EndpointSpecRules.Validate(spec);
        var a = EndpointChangeRules.Actor(actor);
        var now = Now;
        var inserted = await database.WriteAsync((c, t) =>
        {
            var rows = Exec(c, t, $"INSERT INTO endpoints ({EndpointColumns}) VALUES (@n, @s, 1, @now, @now) ON CONFLICT (name) DO NOTHING",
                ("@n", s.Name), ("@s", SpecJson(s)), ("@now", now));
            if (rows == 1) InsertEvent(c, t, s.Name, 1, now, new EndpointChange(EndpointEventKinds.Created, $"Endpoint '{s.Name}' created.", a));
            return rows;
        }, ct).ConfigureAwait(false);
        if (inserted == 0) throw CairnException.AlreadyExists($"An endpoint named '{s.Name}' already exists; update it, delete it first or pick another name.");
        return new EndpointRecord(s, 1, now, now);
    }

    public Task<EndpointRecord> GetEndpointAsync(string name, CancellationToken ct = default)
    {
        EndpointSpecRules.Name(name);
        using var c = database.Open();
        return Task.FromResult(ReadEndpoints(c, null, "WHERE name = @n", ("@n", name)).SingleOrDefault() ?? throw NoEndpoint(name));
    }

    public Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<EndpointRecord>>(ReadEndpoints(c, null, "ORDER BY name"));
    }

    public async Task<EndpointRecord> UpdateEndpointAsync(EndpointSpec spec, int expectedRevision, EndpointChange change, CancellationToken ct = default)
    {
        var s = EndpointSpecRules.Validate(spec);
        var e = EndpointChangeRules.Change(change);
        if (expectedRevision < 1) throw CairnException.InvalidParameter($"Invalid expected revision {expectedRevision}: revisions start at 1 (read the endpoint to get its revision).");
        var now = Now;
        var creationTime = await database.WriteAsync((c, t) =>
        {
            // The WHERE on the revision is the compare-and-set: a writer that read an older revision changes nothing.
            using var update = Command(c, t,
                "UPDATE endpoints SET spec = @s, revision = revision + 1, update_time = @now WHERE name = @n AND revision = @expected RETURNING creation_time",
                [("@s", SpecJson(s)), ("@now", now), ("@n", s.Name), ("@expected", (long)expectedRevision)]);
            var created = update.ExecuteScalar();
            if (created is null or DBNull) return (long?)null;
            InsertEvent(c, t, s.Name, expectedRevision + 1, now, e);
            return Convert.ToInt64(created);
        }, ct).ConfigureAwait(false);
        if (creationTime is { } ctime) return new EndpointRecord(s, expectedRevision + 1, ctime, now);
        using var read = database.Open();
        var current = ReadEndpoints(read, null, "WHERE name = @n", ("@n", s.Name)).SingleOrDefault() ?? throw NoEndpoint(s.Name);
        throw CairnException.InvalidState(
            $"Endpoint '{s.Name}' changed since revision {expectedRevision} (it is at {current.Revision} now): read it again and retry.");
    }

    public async Task DeleteEndpointAsync(string name, string actor, CancellationToken ct = default)
    {
        EndpointSpecRules.Name(name);
        var a = EndpointChangeRules.Actor(actor);
        var now = Now;
        var deleted = await database.WriteAsync((c, t) =>
        {
            var revision = ScalarLong(c, t, "DELETE FROM endpoints WHERE name = @n RETURNING revision", ("@n", name));
            if (revision is not { } r) return false;
            InsertEvent(c, t, name, (int)r, now, new EndpointChange(EndpointEventKinds.Deleted, $"Endpoint '{name}' deleted.", a));
            return true;
        }, ct).ConfigureAwait(false);
        if (!deleted) throw NoEndpoint(name);
    }

    public async Task AppendEndpointEventAsync(string name, EndpointChange change, CancellationToken ct = default)
    {
        EndpointSpecRules.Name(name);
        var e = EndpointChangeRules.Change(change);
        var now = Now;
        var appended = await database.WriteAsync((c, t) =>
        {
            // Locks the endpoint's row for the event number, and records the revision the event happened at.
            var revision = ScalarLong(c, t, "SELECT revision FROM endpoints WHERE name = @n" + database.Dialect.ForUpdate, ("@n", name));
            if (revision is not { } r) return false;
            InsertEvent(c, t, name, (int)r, now, e);
            return true;
        }, ct).ConfigureAwait(false);
        if (!appended) throw NoEndpoint(name);
    }

    public Task<IReadOnlyList<EndpointEvent>> ListEndpointEventsAsync(string name, int maxResults = 100, CancellationToken ct = default)
    {
        EndpointSpecRules.Name(name);
        if (maxResults is < 1 or > EndpointChangeRules.MaxEventsPerCall)
            throw CairnException.InvalidParameter($"Invalid value {maxResults} for max_results: it must be between 1 and {EndpointChangeRules.MaxEventsPerCall}.");
        using var c = database.Open();
        var events = ReadEvents(c, $"WHERE endpoint_name = @n ORDER BY seq DESC LIMIT {maxResults}", ("@n", name));
        // A deleted endpoint keeps its history; a name that never existed is an error, not an empty list.
        if (events.Count == 0 && ScalarLong(c, null, "SELECT COUNT(*) FROM endpoints WHERE name = @n", ("@n", name)) == 0) throw NoEndpoint(name);
        return Task.FromResult<IReadOnlyList<EndpointEvent>>(events);
    }

    private static void InsertEvent(DbConnection c, DbTransaction t, string name, int revision, long now, EndpointChange change) =>
        Exec(c, t, $"INSERT INTO endpoint_events ({EventColumns}, seq) VALUES (@id, @n, @r, @now, @k, @m, @a, {NextSeq})",
            ("@id", Ids.NewId()), ("@n", name), ("@r", (long)revision), ("@now", now), ("@k", change.Kind), ("@m", change.Message), ("@a", change.Actor));

    private static string SpecJson(EndpointSpec spec) => JsonSerializer.Serialize(spec, EndpointSpecRules.Json);

    private static List<EndpointRecord> ReadEndpoints(DbConnection c, DbTransaction? t, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, $"SELECT {EndpointColumns} FROM endpoints {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<EndpointRecord>();
        while (r.Read())
            list.Add(new EndpointRecord(JsonSerializer.Deserialize<EndpointSpec>(r.GetString(1), EndpointSpecRules.Json)!,
                (int)r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)));
        return list;
    }

    private static List<EndpointEvent> ReadEvents(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {EventColumns} FROM endpoint_events {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<EndpointEvent>();
        while (r.Read())
            list.Add(new EndpointEvent(r.GetString(0), r.GetString(1), (int)r.GetInt64(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6)));
        return list;
    }
}
