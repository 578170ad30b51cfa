using System.Globalization;
using Cairn.Deployments;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Deployment endpoints and their history on a remote Cairn server (/api/2.0/cairn/endpoints/...); the server's errors come back as the same <see cref="CairnException"/> codes.</summary>
public sealed class RestEndpointStore(RestTransport transport) : IEndpointStore
{
    private const string Endpoints = "api/2.0/cairn/endpoints/";

    private static EndpointChangeBody? Body(EndpointChange? change) => change is null ? null : new(change.Kind, change.Message, change.Actor);

    /// <inheritdoc />
    public async Task<EndpointRecord> CreateEndpointAsync(EndpointSpec spec, string actor, CancellationToken ct = default) =>
        (await transport.PostAsync<EndpointResponse>(Endpoints + "create", new CreateEndpointRequest(spec, actor), ct).ConfigureAwait(false)).Endpoint;

    /// <inheritdoc />
    public async Task<EndpointRecord> GetEndpointAsync(string name, CancellationToken ct = default) =>
        (await transport.GetAsync<EndpointResponse>(Endpoints + "get", [("name", name)], ct).ConfigureAwait(false)).Endpoint;

    /// <inheritdoc />
    public async Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<EndpointsResponse>(Endpoints + "list", [], ct).ConfigureAwait(false)).Endpoints ?? [];

    /// <inheritdoc />
    public async Task<EndpointRecord> UpdateEndpointAsync(EndpointSpec spec, int expectedRevision, EndpointChange change, CancellationToken ct = default) =>
        (await transport.PostAsync<EndpointResponse>(Endpoints + "update", new UpdateEndpointRequest(spec, expectedRevision, Body(change)), ct).ConfigureAwait(false)).Endpoint;

    /// <inheritdoc />
    public Task DeleteEndpointAsync(string name, string actor, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Delete, Endpoints + "delete", new DeleteEndpointRequest(name, actor), ct);

    /// <inheritdoc />
    public Task AppendEndpointEventAsync(string name, EndpointChange change, CancellationToken ct = default) =>
        transport.PostAsync<object>(Endpoints + "events/append", new AppendEndpointEventRequest(name, Body(change)), ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<EndpointEvent>> ListEndpointEventsAsync(string name, int maxResults = 100, CancellationToken ct = default) =>
        (await transport.GetAsync<EndpointEventsResponse>(Endpoints + "events",
            [("name", name), ("max_results", maxResults.ToString(CultureInfo.InvariantCulture))], ct).ConfigureAwait(false)).Events ?? [];
}
