namespace Cairn.Data;

/// <summary>
/// The dataset version a pointer file stands for, in a metadata store: what lets a run log
/// <c>data/flights.csv</c> (or <c>data/flights.csv.cairn</c>) as an input without a `cairn data tag` first.
/// </summary>
public static class PointerDatasets
{
    /// <summary>
    /// Reads the pointer of <paramref name="path"/> (the data, or its <c>.cairn</c> pointer file)
    /// and returns its version under the data's name (<c>data/flights.csv</c> is <c>flights</c>),
    /// tagging it in <paramref name="store"/> as `cairn data tag` does when the store does not have
    /// that digest under that name yet. Two stores get the same digest, each with its own numbering.
    /// </summary>
    /// <exception cref="CairnException">
    /// When there is no pointer, it is not valid, it lies outside a git working copy (or a link
    /// leads it out), or the data changed since it was added.
    /// </exception>
    public static async Task<DatasetVersion> EnsureTaggedAsync(string path, IDatasetStore store, string user, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw CairnException.InvalidParameter("A dataset input needs a data:/ URI or the path of tracked data.");
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var pointerFile = full.EndsWith(DataPointer.Extension, StringComparison.Ordinal) ? full : full + DataPointer.Extension;
        if (!File.Exists(pointerFile))
            throw CairnException.NotFound($"'{DataPathRules.Printable(path)}' is not tracked data: there is no pointer file {DataPathRules.Printable(pointerFile)}. " +
                "Track it with `cairn data add`, or log a dataset version as data:/<name>@<version>.");
        using var workspace = DataWorkspace.Open(Path.GetDirectoryName(pointerFile)!);
        // The pointer is read from the repository it resolves into, never through a link leading out of it.
        new WorkspaceBoundary(workspace.Root).EnsureInside(Path.GetDirectoryName(pointerFile)!, path);
        var relative = workspace.Relative(pointerFile);
        var name = NameOf(relative);
        var pointer = workspace.ReadPointer(relative);
        try
        {
            return await store.GetVersionAsync(name, pointer.Digest, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            var (version, _) = await DatasetTagging.TagAsync(workspace, store, pointerFile, name, description: null, user, ct).ConfigureAwait(false);
            return version;
        }
    }

    /// <summary>The dataset name of tracked data: its file name without the extension, in the characters names allow.</summary>
    public static string NameOf(string relativePath)
    {
        var file = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        var stem = Path.GetFileNameWithoutExtension(file) is { Length: > 0 } s ? s : file.TrimStart('.');
        var name = new string(stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray());
        return DatasetNames.Validate(name.Length > 256 ? name[..256] : name.Length == 0 ? "data" : name);
    }
}
