namespace Cairn.Data;

/// <summary>Names what a pointer holds as a dataset version (<c>data:/name@N</c>) in the metadata store.</summary>
public static class DatasetTagging
{
    /// <param name="derivedFrom">The version's <c>derived_from</c> edges (<c>features:/view@N</c>, <c>data:/name@N</c>); kept only when the version is new.</param>
    /// <returns>The version, and warnings the user should see (an uncommitted pointer cannot be checked out by commit).</returns>
    public static async Task<(DatasetVersion Version, IReadOnlyList<string> Warnings)> TagAsync(DataWorkspace workspace, IDatasetStore store,
        string userPath, string name, string? description, string user, CancellationToken ct = default, IReadOnlyList<string>? derivedFrom = null)
    {
        DatasetNames.Validate(name);
        var relative = workspace.Relative(userPath);
        var pointer = workspace.ReadPointer(relative);
        var status = (await workspace.StatusAsync([userPath], ct).ConfigureAwait(false))[0];
        if (status.State == DataStates.Modified)
            throw CairnException.InvalidState($"'{relative}' changed since it was added: run `cairn data add {relative}` first, so the version names what is there.");
        var warnings = new List<string>();
        var pointerFile = relative + DataPointer.Extension;
        string? commit = workspace.Git.HeadCommit;
        if (commit is null || workspace.Git.IsUncommitted(pointerFile))
        {
            warnings.Add($"{pointerFile} is not committed: commit it so that this version can be checked out from git.");
            commit = null;
        }
        var version = await store.CreateVersionAsync(new NewDatasetVersion(name, pointer.Digest, pointer.Kind, pointer.Size, pointer.Files,
            relative, commit, pointer.Table, description, user) { DerivedFrom = derivedFrom ?? [] }, ct).ConfigureAwait(false);
        return (version, warnings);
    }
}
