namespace Cairn.Pipelines;

/// <summary>
/// Where a server may run scheduled pipeline files from. Anyone who can reach the API can name a
/// file; a pipeline runs shell commands, so only files under the roots the operator chose run, and
/// never one under a folder clients can write (the local artifact store).
/// </summary>
public sealed class PipelineFileRoots(IReadOnlyList<string> allowed, IReadOnlyList<string> denied)
{
    private readonly string[] _allowed = allowed.Select(Folder).ToArray();
    private readonly string[] _denied = denied.Select(Folder).ToArray();

    public IReadOnlyList<string> Allowed => _allowed;

    /// <exception cref="CairnException">INVALID_STATE naming the file and the roots.</exception>
    public string Check(string file)
    {
        var full = Path.GetFullPath(file);
        // A link is judged by where it leads.
        if (new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) full = Path.GetFullPath(target.FullName);
        if (_denied.Any(d => Under(full, d)))
            throw CairnException.InvalidState($"The pipeline file {file} is in a folder clients can write to (the artifact store); the server does not run it.");
        if (!_allowed.Any(a => Under(full, a)))
            throw CairnException.InvalidState($"The pipeline file {file} is outside the folders this server runs pipelines from ({string.Join(", ", _allowed)}); start the server with --pipelines-root.");
        return full;
    }

    private static string Folder(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) + Path.DirectorySeparatorChar;

    private static bool Under(string file, string folder) => file.StartsWith(folder, StringComparison.Ordinal);
}
