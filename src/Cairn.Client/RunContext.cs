using System.Runtime.InteropServices;
using LibGit2Sharp;

namespace Cairn;

/// <summary>
/// Tags every run gets automatically: the git commit, branch and dirty flag of the working
/// directory, the machine, the .NET runtime, the user and the command line, under MLflow's own
/// tag names where MLflow has one.
/// </summary>
public static class RunContext
{
    public const string GitCommit = "mlflow.source.git.commit";
    public const string GitBranch = "mlflow.source.git.branch";
    public const string GitRepoUrl = "mlflow.source.git.repoURL";
    public const string GitDirty = "cairn.source.git.dirty";
    public const string SourceName = "mlflow.source.name";
    public const string SourceType = "mlflow.source.type";
    public const string User = "mlflow.user";
    public const string Host = "cairn.host";
    public const string Runtime = "cairn.dotnet.version";
    public const string CommandLine = "cairn.command_line";

    public static Dictionary<string, string> Capture(string? directory = null)
    {
        var tags = new Dictionary<string, string>
        {
            [SourceName] = Environment.GetCommandLineArgs().FirstOrDefault() is { Length: > 0 } exe ? Path.GetFileName(exe) : "unknown",
            [SourceType] = "LOCAL",
            [User] = Environment.UserName,
            [Host] = Environment.MachineName,
            [Runtime] = RuntimeInformation.FrameworkDescription,
            [CommandLine] = Truncate(Environment.CommandLine, 5000),
        };
        foreach (var (key, value) in Git(directory ?? Directory.GetCurrentDirectory())) tags[key] = value;
        return tags;
    }

    /// <summary>The git facts of <paramref name="directory"/>, or none outside a repository.</summary>
    public static Dictionary<string, string> Git(string directory)
    {
        var tags = new Dictionary<string, string>();
        try
        {
            var root = Repository.Discover(directory);
            if (root is null) return tags;
            using var repo = new Repository(root);
            if (repo.Head?.Tip is { } tip) tags[GitCommit] = tip.Sha;
            if (repo.Head is { } head && !repo.Info.IsHeadDetached) tags[GitBranch] = head.FriendlyName;
            tags[GitDirty] = repo.RetrieveStatus(new StatusOptions { IncludeUntracked = false }).IsDirty ? "true" : "false";
            if (repo.Network.Remotes["origin"]?.Url is { } url) tags[GitRepoUrl] = url;
        }
        catch (Exception e) when (e is LibGit2SharpException or DllNotFoundException or TypeInitializationException)
        {
            // Git facts are a convenience; a run must not fail because libgit2 could not read the repo.
        }
        return tags;
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
