using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Features;

namespace Cairn.Protocol;

// Request and response bodies of /api/2.0/cairn/features/*: snake_case, one wrapper key; fields are
// nullable so a missing one gets a clear 400, and the apply body refuses unknown keys (FeatureJson.Strict),
// so a misspelt field of a definition is not silently dropped.

/// <summary>The JSON options of feature request bodies: the API's own, refusing unknown keys.</summary>
public static class FeatureJson
{
    /// <summary><see cref="CairnJson.Options"/> with unknown keys refused.</summary>
    public static JsonSerializerOptions Strict { get; } = new(CairnJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
}

/// <summary>POST /api/2.0/cairn/features/apply.</summary>
public sealed record ApplyFeaturesRequest(FeatureRepository? Repository, bool? Force);
/// <summary>The answer of apply.</summary>
public sealed record ApplyFeaturesResponse(FeatureApplyResult Result);
/// <summary>GET /api/2.0/cairn/features/repository.</summary>
public sealed record FeatureRepositoryResponse(FeatureRepository Repository);
/// <summary>GET /api/2.0/cairn/features/definitions/get.</summary>
public sealed record FeatureDefinitionResponse(FeatureDefinitionVersion Definition);
/// <summary>GET /api/2.0/cairn/features/definitions/versions and /history.</summary>
public sealed record FeatureDefinitionsResponse(IReadOnlyList<FeatureDefinitionVersion> Definitions);
