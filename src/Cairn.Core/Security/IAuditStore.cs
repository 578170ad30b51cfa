namespace Cairn.Security;

/// <summary>
/// The append-only audit log of requests that changed something (see <see cref="AuditEntry"/>).
/// Nothing here edits or removes an entry. Implemented by the SQL stores.
/// </summary>
public interface IAuditStore
{
    /// <summary>
    /// Records the event as the next entry, chained to the last one. Appends from concurrent
    /// requests (and from several servers on one database) are serialized, so the chain has no forks.
    /// </summary>
    Task<AuditEntry> AppendAsync(AuditEvent e, CancellationToken ct = default);

    /// <summary>The entries matching the query, newest first.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when MaxResults is below 1.</exception>
    Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken ct = default);

    /// <summary>Every entry, in the order stored (by sequence number), for verifying the chain.</summary>
    IAsyncEnumerable<AuditEntry> ReadChainAsync(CancellationToken ct = default);
}
