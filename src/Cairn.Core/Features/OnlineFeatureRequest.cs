namespace Cairn.Features;

/// <summary>
/// A lookup of online features, as Feast's feature server takes it: the features (or a feature
/// service) and the entities as columns (join key name to one value per entity row).
/// </summary>
public sealed record OnlineFeatureRequest(
    IReadOnlyList<FeatureReference>? Features,
    string? FeatureService,
    IReadOnlyDictionary<string, IReadOnlyList<object?>> Entities,
    bool FullFeatureNames = false);

/// <summary>The state of one returned value (Feast's field statuses).</summary>
public static class OnlineFeatureStatuses
{
    /// <summary>A value was found and is within the view's TTL.</summary>
    public const string Present = "PRESENT";
    /// <summary>Nothing is stored for the entity.</summary>
    public const string NotFound = "NOT_FOUND";
    /// <summary>The stored value is null.</summary>
    public const string NullValue = "NULL_VALUE";
    /// <summary>The stored value is older than the view's TTL, so it is not served.</summary>
    public const string OutsideMaxAge = "OUTSIDE_MAX_AGE";
}

/// <summary>One column of the answer: a value, a status and an event time per entity row.</summary>
public sealed record OnlineFeatureColumn(IReadOnlyList<object?> Values, IReadOnlyList<string> Statuses, IReadOnlyList<DateTimeOffset> EventTimestamps);

/// <summary>
/// The answer, column by column as Feast's feature server gives it: the join keys first (as sent),
/// then each feature in request order; <see cref="FeatureNames"/> names the columns.
/// </summary>
public sealed record OnlineFeatureResponse(IReadOnlyList<string> FeatureNames, IReadOnlyList<OnlineFeatureColumn> Results);
