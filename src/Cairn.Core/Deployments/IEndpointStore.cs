namespace Cairn.Deployments;

/// <summary>
/// Endpoints, their revisions and history. Implemented by the SQL stores (SQLite, PostgreSQL) and
/// the REST client; one contract suite runs over each. Every change is a compare-and-set on the
/// revision, so two servers (or a user and the canary analysis) never overwrite each other.
/// </summary>
public interface IEndpointStore
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a spec <see cref="EndpointSpecRules"/> refuses; RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<EndpointRecord> CreateEndpointAsync(EndpointSpec spec, string actor, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<EndpointRecord> GetEndpointAsync(string name, CancellationToken ct = default);

    /// <summary>Every endpoint.</summary>
    Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken ct = default);

    /// <summary>
    /// Replaces the spec if the stored revision is still <paramref name="expectedRevision"/>, and
    /// records <paramref name="change"/> as an event, in one transaction.
    /// </summary>
    /// <exception cref="CairnException">INVALID_STATE when the endpoint changed since that revision (read it again and retry); RESOURCE_DOES_NOT_EXIST; INVALID_PARAMETER_VALUE as for create.</exception>
    Task<EndpointRecord> UpdateEndpointAsync(EndpointSpec spec, int expectedRevision, EndpointChange change, CancellationToken ct = default);

    /// <summary>Removes the endpoint; its history stays.</summary>
    Task DeleteEndpointAsync(string name, string actor, CancellationToken ct = default);

    /// <summary>Records an event that changes no spec (a replica restarted, the endpoint scaled).</summary>
    Task AppendEndpointEventAsync(string name, EndpointChange change, CancellationToken ct = default);

    /// <summary>Events of one endpoint, newest first.</summary>
    Task<IReadOnlyList<EndpointEvent>> ListEndpointEventsAsync(string name, int maxResults = 100, CancellationToken ct = default);
}
