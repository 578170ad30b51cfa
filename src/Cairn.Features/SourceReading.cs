namespace Cairn.Features;

/// <summary>
/// How a job reaches its sources: the folder relative paths start from, the host's dataset
/// resolver, and the event-time interval the job needs (null: every row), which a PostgreSQL
/// source pushes down to the database.
/// </summary>
internal sealed record SourceReading(string? Root, FeatureDatasetResolver? Datasets = null, DateTimeOffset? Start = null, DateTimeOffset? End = null);
