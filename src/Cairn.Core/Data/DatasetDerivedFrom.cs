using Cairn.Features;

namespace Cairn.Data;

/// <summary>The <c>derived_from</c> edges of a dataset version: exact versions of feature views and datasets.</summary>
public static class DatasetDerivedFrom
{
    /// <summary>The most edges one version may carry (a training set joins a handful of views).</summary>
    public const int MaxEdges = 1000;

    /// <summary>
    /// Checks every URI names one version (<c>features:/view@N</c> or <c>data:/name@N</c>) and returns
    /// them in canonical form, duplicates dropped, in the order given.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a URI that is neither, or that names no version.</exception>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string?>? uris)
    {
        if (uris is null || uris.Count == 0) return [];
        if (uris.Count > MaxEdges)
            throw CairnException.InvalidParameter($"A dataset version may be derived from at most {MaxEdges} versions; {uris.Count} were given.");
        var canonical = new List<string>(uris.Count);
        foreach (var uri in uris)
        {
            var text = Canonical(uri);
            if (!canonical.Contains(text, StringComparer.Ordinal)) canonical.Add(text);
        }
        return canonical;
    }

    private static string Canonical(string? uri)
    {
        if (FeatureUri.IsFeatureUri(uri))
        {
            var view = FeatureUri.Parse(uri);
            return view.Version is null
                ? throw CairnException.InvalidParameter($"derived_from '{uri}' names no version: write {view}@N, the view version it was built from.")
                : view.ToString();
        }
        if (uri is not null && DataUri.IsDataUri(uri))
        {
            var data = DataUri.Parse(uri);
            return long.TryParse(data.VersionOrDigest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= 1
                ? $"{DataUri.Scheme}{data.Name}@{number}"
                : throw CairnException.InvalidParameter($"derived_from '{uri}' names no version number: write data:/{data.Name}@N, the dataset version it was built from.");
        }
        throw CairnException.InvalidParameter($"derived_from '{uri}' is not a feature view or dataset version: write features:/<view>@<N> or data:/<name>@<N>.");
    }
}
