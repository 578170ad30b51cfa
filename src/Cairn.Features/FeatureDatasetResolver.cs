using Cairn.Data;

namespace Cairn.Features;

/// <summary>One file of a dataset version, on this machine.</summary>
/// <param name="Path">Where its bytes are (a data cache entry may have no extension).</param>
/// <param name="Name">Its path within the dataset version, whose extension (.parquet or .csv) says its format.</param>
public sealed record FeatureDatasetFile(string Path, string Name);

/// <summary>
/// Finds the files of a dataset version (<c>data:/flights@3</c>) on this machine, for <c>dataset</c>
/// sources: supplied by the host, which knows where the data cache is (the feature store does not).
/// </summary>
/// <exception cref="CairnException">When the version does not exist or its bytes are not on this machine, saying what to run.</exception>
public delegate Task<IReadOnlyList<FeatureDatasetFile>> FeatureDatasetResolver(DataUri dataset, CancellationToken ct);
