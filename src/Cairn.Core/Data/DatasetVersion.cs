namespace Cairn.Data;

/// <summary>A column of a tabular data file, with the type its format declares (Parquet) or that was inferred (CSV).</summary>
public sealed record TableColumn(string Name, string Type);

/// <summary>What a CSV or Parquet file holds: its row count and columns. Recorded when the file is added, so diffs need no data.</summary>
public sealed record TableSummary(string Format, long Rows, IReadOnlyList<TableColumn> Columns);

/// <summary>
/// A named, numbered version of a dataset: <c>data:/flights@3</c>. Versions are numbered 1, 2, ...
/// per name; tagging content a name already has returns that version instead of making a new one.
/// </summary>
public sealed record DatasetVersion(
    string Name,
    long Version,
    /// <summary><c>blake3:&lt;64 hex&gt;</c> of the file, or of the folder's manifest.</summary>
    string Digest,
    /// <summary><c>file</c> or <c>directory</c>.</summary>
    string Kind,
    long Size,
    long FileCount,
    /// <summary>The workspace path it was added from, relative to the repository root.</summary>
    string Path,
    string? GitCommit,
    TableSummary? Table,
    string? Description,
    string CreatedBy,
    long CreationTime)
{
    public DataUri ToUri() => new(Name, Version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Lineage edges of type <c>derived_from</c>: the feature view versions (<c>features:/view@N</c>) and
    /// dataset versions (<c>data:/name@N</c>) this version was built from, as given when it was first tagged.
    /// </summary>
    public IReadOnlyList<string> DerivedFrom { get; init; } = [];
}

/// <summary>What a caller gives to create a version; the store numbers it and stamps the time.</summary>
public sealed record NewDatasetVersion(
    string Name,
    string Digest,
    string Kind,
    long Size,
    long FileCount,
    string Path,
    string? GitCommit,
    TableSummary? Table,
    string? Description,
    string CreatedBy)
{
    /// <summary>
    /// What the version was built from (<c>features:/view@N</c>, <c>data:/name@N</c>). Kept only when the
    /// version is new: content a name already has returns the existing version with its own edges.
    /// </summary>
    public IReadOnlyList<string> DerivedFrom { get; init; } = [];
}
