namespace Cairn.Features;

/// <summary>How <see cref="PointInTimeJoiner"/> reads the entity table and names its output columns.</summary>
public sealed record PointInTimeOptions
{
    /// <summary>The entity table's event-time column: features are read as they were known at this instant.</summary>
    public string EntityTimestampColumn { get; init; } = "event_timestamp";

    /// <summary>
    /// Name every feature column <c>view__feature</c> (Feast's <c>full_feature_names</c>). When false
    /// (the default) a column is named after the feature alone, and two requested features with one
    /// name are refused with a message that suggests this option.
    /// </summary>
    public bool FullFeatureNames { get; init; }

    /// <summary>The folder that relative source paths are read from (a feature repository's root); the current directory when null.</summary>
    public string? SourceRoot { get; init; }

    /// <summary>The folder of pushed rows (see <see cref="FeaturePush"/>): read after each view's source; null: no pushes.</summary>
    public string? PushLogRoot { get; init; }

    /// <summary>Finds the files of the dataset versions that <c>dataset</c> sources read; null: such sources are refused.</summary>
    public FeatureDatasetResolver? DatasetResolver { get; init; }

    /// <summary>The functions on-demand features are computed with, after the join; null: none (requesting an on-demand feature is then refused).</summary>
    public OnDemandFeatureFunctions? Functions { get; init; }
}

/// <summary>One feature column of a training set and how many of its values are null (no value known, or older than the view's TTL).</summary>
public sealed record TrainingSetColumn(FeatureReference Feature, string Column, FeatureType Type, long Nulls);

/// <summary>What <see cref="PointInTimeJoiner"/> wrote: as many rows as the entity table, and one column per requested feature.</summary>
public sealed record TrainingSetResult(string OutputPath, long Rows, IReadOnlyList<TrainingSetColumn> Features);
