using LibGit2Sharp;

namespace Cairn.Data;

/// <summary>A commit that changed a pointer file, with what the pointer said then.</summary>
public sealed record PointerRevision(string Commit, DateTimeOffset When, string Author, string Message, DataPointer Pointer);

/// <summary>The git side of a data workspace, through LibGit2Sharp: where the repository is, and pointer files at any revision.</summary>
public sealed class GitHistory : IDisposable
{
    private readonly Repository _repo;

    /// <summary>The working directory (of the worktree, in a linked worktree).</summary>
    public string Root { get; }

    private GitHistory(Repository repo)
    {
        _repo = repo;
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repo.Info.WorkingDirectory));
    }

    /// <exception cref="CairnException">INVALID_STATE outside a git repository, or in a bare one.</exception>
    public static GitHistory Open(string directory)
    {
        var found = Repository.Discover(directory)
            ?? throw CairnException.InvalidState($"'{Path.GetFullPath(directory)}' is not inside a git repository: cairn data versions data beside the code's git history. Run `git init` first.");
        var repo = new Repository(found);
        if (repo.Info.IsBare)
        {
            repo.Dispose();
            throw CairnException.InvalidState($"'{found}' is a bare git repository: run cairn data in a working copy.");
        }
        return new GitHistory(repo);
    }

    /// <summary>The commit HEAD points at, or null in a repository with no commit yet.</summary>
    public string? HeadCommit => _repo.Head?.Tip?.Sha;

    /// <summary>Whether git itself tracks this path (then it must not also be versioned as data).</summary>
    public bool IsTrackedByGit(string relativePath, bool folder)
    {
        var path = relativePath.Replace('\\', '/');
        return folder ? _repo.Index.Any(e => e.Path.StartsWith(path + "/", StringComparison.Ordinal)) : _repo.Index[path] is not null;
    }

    /// <summary>Whether the committed pointer differs from the one in the working tree (or is not committed).</summary>
    public bool IsUncommitted(string relativePath)
    {
        var state = _repo.RetrieveStatus(relativePath.Replace('\\', '/'));
        return state is not (FileStatus.Unaltered or FileStatus.Ignored);
    }

    /// <summary>The commit a revision names (a sha, a branch, a tag, HEAD~2 ...).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a revision that names no commit.</exception>
    public Commit Resolve(string revision)
    {
        var found = _repo.Lookup(revision);
        return found?.Peel<Commit>()
            ?? throw CairnException.InvalidParameter($"'{revision}' is not a commit in {Root}: give a commit, branch or tag (git log shows them).");
    }

    /// <summary>Every pointer file committed at <paramref name="revision"/>, keyed by the data path it describes (repo-relative, '/').</summary>
    public Dictionary<string, DataPointer> PointersAt(string revision)
    {
        var commit = Resolve(revision);
        var pointers = new Dictionary<string, DataPointer>(StringComparer.Ordinal);
        Collect(commit.Tree, "", pointers, $"{revision}:");
        return pointers;
    }

    private static void Collect(Tree tree, string prefix, Dictionary<string, DataPointer> into, string label)
    {
        foreach (var entry in tree)
        {
            var path = prefix + entry.Name;
            if (entry.TargetType == TreeEntryTargetType.Tree)
            {
                if (entry.Name is ".git" or ".cairn") continue;
                Collect((Tree)entry.Target, path + "/", into, label);
            }
            else if (entry.TargetType == TreeEntryTargetType.Blob && entry.Name.EndsWith(DataPointer.Extension, StringComparison.Ordinal) && entry.Name.Length > DataPointer.Extension.Length)
            {
                var blob = (Blob)entry.Target;
                var pointer = DataPointer.Parse(blob.GetContentText(), label + path);
                into[path[..^DataPointer.Extension.Length]] = pointer;
            }
        }
    }

    /// <summary>The commits that changed a pointer file, newest first, following renames.</summary>
    public IReadOnlyList<PointerRevision> History(string pointerRelativePath)
    {
        var path = pointerRelativePath.Replace('\\', '/');
        var revisions = new List<PointerRevision>();
        if (HeadCommit is null) return revisions;
        foreach (var entry in _repo.Commits.QueryBy(path))
        {
            if (entry.Commit[entry.Path]?.Target is not Blob blob) continue;
            revisions.Add(new PointerRevision(entry.Commit.Sha, entry.Commit.Author.When, entry.Commit.Author.Name,
                entry.Commit.MessageShort, DataPointer.Parse(blob.GetContentText(), $"{entry.Commit.Sha[..8]}:{entry.Path}")));
        }
        return revisions;
    }

    /// <summary>Every commit reachable from any branch or tag.</summary>
    public IEnumerable<string> AllCommits() =>
        _repo.Commits.QueryBy(new CommitFilter { IncludeReachableFrom = _repo.Refs.ToList(), SortBy = CommitSortStrategies.Topological }).Select(c => c.Sha);

    public void Dispose() => _repo.Dispose();
}
