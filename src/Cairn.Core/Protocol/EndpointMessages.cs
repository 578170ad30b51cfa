using Cairn.Deployments;

namespace Cairn.Protocol;

// Request and response bodies of /api/2.0/cairn/endpoints/*: MLflow's conventions (snake_case, one
// wrapper key); fields are nullable so a missing one gets a clear 400. Bodies that carry a spec
// refuse unknown keys (see EndpointSpecRules.Json), so a misspelt field is not silently dropped.

public sealed record EndpointChangeBody(string? Kind, string? Message, string? Actor);
public sealed record CreateEndpointRequest(EndpointSpec? Spec, string? Actor);
public sealed record UpdateEndpointRequest(EndpointSpec? Spec, int? ExpectedRevision, EndpointChangeBody? Change);
public sealed record DeleteEndpointRequest(string? Name, string? Actor);
public sealed record AppendEndpointEventRequest(string? Name, EndpointChangeBody? Change);

public sealed record EndpointResponse(EndpointRecord Endpoint);
public sealed record EndpointsResponse(IReadOnlyList<EndpointRecord> Endpoints);
public sealed record EndpointEventsResponse(IReadOnlyList<EndpointEvent> Events);
