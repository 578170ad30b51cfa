using Cairn.Data;

namespace Cairn.Features;

/// <summary>
/// A <c>dataset</c> source: the files of a dataset version, found through the host's
/// <see cref="FeatureDatasetResolver"/> and read like a file source (a folder version as a folder:
/// its Parquet files, else its CSV files).
/// </summary>
internal static class DatasetSource
{
    /// <summary>The DuckDB table function call that reads the version's files, in the order of their names.</summary>
    public static async Task<string> ReadAsync(FeatureSourceDefinition source, FeatureDatasetResolver? resolver, string what, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(source.Dataset)) throw CairnException.InvalidParameter($"{what} is a dataset source without a dataset (data:/name@3).");
        var uri = DataUri.Parse(source.Dataset);
        if (uri.VersionOrDigest is null)
            throw CairnException.InvalidParameter($"{what} reads {uri} without a version: name one, such as {uri}@3, so that training sets can be rebuilt.");
        if (resolver is null)
            throw CairnException.InvalidParameter($"{what} reads the dataset version {uri}, and this host has no data cache to read it from; use the cairn CLI in the workspace that versions it.");
        var files = await resolver(uri, ct);
        foreach (var extension in new[] { ".parquet", ".csv" })
        {
            var chosen = files.Where(f => f.Name.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => DuckDbSql.Literal(f.Path)).ToList();
            if (chosen.Count == 0) continue;
            var list = $"[{string.Join(", ", chosen)}]";
            return extension == ".parquet" ? $"read_parquet({list})" : $"read_csv({list}, header = true)";
        }
        throw CairnException.InvalidParameter($"{what}: {uri} holds no .parquet or .csv file.");
    }
}
