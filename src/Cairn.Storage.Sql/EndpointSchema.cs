namespace Cairn.Storage.Sql;

/// <summary>The deployment tables, one text for SQLite and PostgreSQL (BIGINT is an integer in both).</summary>
/// <remarks>
/// Events are ordered by <c>seq</c>, a counter per endpoint name, not by time: several events often
/// fall in one millisecond, and event ids are random. Every event is written while its endpoint's
/// row is locked (inserted, updated or deleted in the same transaction), so the next number is
/// <c>MAX(seq) + 1</c> without a race; the history outlives a deleted endpoint, and the counter
/// of an endpoint created again under the same name goes on from there.
/// </remarks>
public static class EndpointSchema
{
    public const string Description = "deployments: endpoints (spec JSON, revision) and their events";

    public const string Sql = """
        CREATE TABLE endpoints (
            name TEXT PRIMARY KEY,
            spec TEXT NOT NULL,
            revision BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            update_time BIGINT NOT NULL);
        CREATE TABLE endpoint_events (
            event_id TEXT PRIMARY KEY,
            endpoint_name TEXT NOT NULL,
            seq BIGINT NOT NULL,
            revision BIGINT NOT NULL,
            event_time BIGINT NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            actor TEXT NOT NULL,
            UNIQUE (endpoint_name, seq));
        CREATE INDEX ix_endpoint_events_time ON endpoint_events (endpoint_name, event_time);
        """;
}
