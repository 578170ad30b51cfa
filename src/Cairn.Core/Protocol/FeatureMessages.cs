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
/// <summary>POST /api/2.0/cairn/features/statistics/record: statistics of <c>view</c> computed with its definition <c>view_version</c>, over [start, end).</summary>
public sealed record RecordFeatureStatisticsRequest(string? View, int? ViewVersion, FeatureViewStatistics? Statistics, DateTimeOffset? Start, DateTimeOffset? End);
/// <summary>The snapshot a recording wrote.</summary>
public sealed record FeatureStatisticsResponse(FeatureStatisticsSnapshot Snapshot);
/// <summary>GET /api/2.0/cairn/features/statistics/list: a view's snapshots, newest first.</summary>
public sealed record FeatureStatisticsListResponse(IReadOnlyList<FeatureStatisticsSnapshot> Snapshots);

/// <summary>
/// POST /api/2.0/cairn/features/online and Feast's POST /get-online-features: <c>features</c>
/// (view:feature) or a <c>feature_service</c>, and <c>entities</c> as columns.
/// </summary>
public sealed record GetOnlineFeaturesRequest(IReadOnlyList<string>? Features, string? FeatureService,
    IReadOnlyDictionary<string, IReadOnlyList<System.Text.Json.JsonElement>>? Entities, bool? FullFeatureNames);

/// <summary>The names of an online answer's columns.</summary>
public sealed record OnlineFeatureMetadata(IReadOnlyList<string> FeatureNames);

/// <summary>One column of an online answer: per entity row a value, a status and an event time.</summary>
public sealed record OnlineFeatureResult(IReadOnlyList<object?> Values, IReadOnlyList<string> Statuses, IReadOnlyList<DateTimeOffset> EventTimestamps);

/// <summary>The answer of an online lookup, in Feast's feature server shape.</summary>
public sealed record GetOnlineFeaturesResponse(OnlineFeatureMetadata Metadata, IReadOnlyList<OnlineFeatureResult> Results)
{
    /// <summary>The wire shape of <paramref name="response"/>.</summary>
    public static GetOnlineFeaturesResponse From(Cairn.Features.OnlineFeatureResponse response) =>
        new(new OnlineFeatureMetadata(response.FeatureNames), [.. response.Results.Select(r => new OnlineFeatureResult(r.Values, r.Statuses, r.EventTimestamps))]);
}

/// <summary>POST /api/2.0/cairn/features/push: rows of one feature view, each a map of column to value.</summary>
public sealed record PushFeaturesRequest(string? FeatureView, IReadOnlyList<IReadOnlyDictionary<string, System.Text.Json.JsonElement>>? Rows);

/// <summary>The answer of a push.</summary>
public sealed record PushFeaturesResponse(string FeatureView, int Rows, long OnlineWritten);
