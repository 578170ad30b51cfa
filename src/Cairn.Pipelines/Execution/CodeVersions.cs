using System.Collections.Concurrent;
using System.Text;
using Cairn.Data;
using LibGit2Sharp;

namespace Cairn.Pipelines;

/// <summary>
/// The version of the code a step declares: the git tree (or blob) id of each path at HEAD when
/// the path has no uncommitted change, as <c>git rev-parse HEAD:path</c> prints it; with changes,
/// that id plus the content of each changed file, so an uncommitted edit invalidates the cache too.
/// Outside a git repository: the content of the files.
/// </summary>
public sealed class CodeVersions : IDisposable
{
    private readonly string _workspace;
    private readonly Repository? _repo;
    private readonly ConcurrentDictionary<string, string> _known = new(StringComparer.Ordinal);
    private readonly object _gitLock = new();

    public CodeVersions(string workspace)
    {
        _workspace = Path.GetFullPath(workspace);
        if (Repository.Discover(_workspace) is { } found)
        {
            var repo = new Repository(found);
            if (!repo.Info.IsBare) _repo = repo;
            else repo.Dispose();
        }
    }

    public string? HeadCommit => _repo?.Head?.Tip?.Sha;

    public string VersionOf(string relativePath, string who) => _known.GetOrAdd(relativePath, p => Compute(p, who));

    private string Compute(string relative, string who)
    {
        var full = WorkspacePaths.Resolve(_workspace, relative, who);
        if (!Path.Exists(full)) throw new StepFailedException($"{who}: the code path '{relative}' does not exist.");
        if (_repo is null) return ContentDigests.Of(full)!;
        lock (_gitLock)
        {
            var repoPath = Path.GetRelativePath(_repo.Info.WorkingDirectory, full).Replace('\\', '/');
            var head = repoPath == "." ? _repo.Head.Tip?.Tree.Sha : _repo.Head.Tip?[repoPath]?.Target.Sha;
            var status = _repo.RetrieveStatus(new StatusOptions { PathSpec = [repoPath == "." ? "*" : repoPath], IncludeIgnored = false, RecurseUntrackedDirs = true });
            var changed = status.Where(e => e.State != FileStatus.Unaltered && e.State != FileStatus.Ignored).OrderBy(e => e.FilePath, StringComparer.Ordinal).ToList();
            if (changed.Count == 0 && head is not null) return head;
            var text = new StringBuilder(head ?? "uncommitted");
            foreach (var entry in changed)
            {
                var file = Path.Combine(_repo.Info.WorkingDirectory, entry.FilePath);
                text.Append('\n').Append(entry.FilePath).Append('\t').Append(File.Exists(file) ? ContentHash.OfFile(file).Hex : "deleted");
            }
            return "dirty:" + ContentHash.OfBytes(Encoding.UTF8.GetBytes(text.ToString()));
        }
    }

    public void Dispose() => _repo?.Dispose();
}
