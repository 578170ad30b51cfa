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
    /// <summary>The SHA of the commit checked out.</summary>
    public const string GitCommit = "mlflow.source.git.commit";
    /// <summary>The branch checked out; absent when HEAD is detached.</summary>
    public const string GitBranch = "mlflow.source.git.branch";
    /// <summary>The URL of the <c>origin</c> remote, without the user name and password a URL may carry.</summary>
    public const string GitRepoUrl = "mlflow.source.git.repoURL";
    /// <summary><c>true</c> when tracked files have uncommitted changes (untracked files do not count), else <c>false</c>.</summary>
    public const string GitDirty = "cairn.source.git.dirty";
    /// <summary>The file name of the program that started the run.</summary>
    public const string SourceName = "mlflow.source.name";
    /// <summary>Where the run came from; always <c>LOCAL</c> here.</summary>
    public const string SourceType = "mlflow.source.type";
    /// <summary>The operating system user name.</summary>
    public const string User = "mlflow.user";
    /// <summary>The machine name.</summary>
    public const string Host = "cairn.host";
    /// <summary>The .NET runtime description, such as <c>.NET 10.0.0</c>.</summary>
    public const string Runtime = "cairn.dotnet.version";
    /// <summary>The process command line with secrets masked (<see cref="Secrets.RedactArguments"/>), cut to 5000 characters.</summary>
    public const string CommandLine = "cairn.command_line";

    /// <summary>The tags above for this process, with the git facts of <paramref name="directory"/> (the current directory when null).</summary>
    public static Dictionary<string, string> Capture(string? directory = null)
    {
        var tags = new Dictionary<string, string>
        {
            [SourceName] = Environment.GetCommandLineArgs().FirstOrDefault() is { Length: > 0 } exe ? Path.GetFileName(exe) : "unknown",
            [SourceType] = "LOCAL",
            [User] = Environment.UserName,
            [Host] = Environment.MachineName,
            [Runtime] = RuntimeInformation.FrameworkDescription,
            [CommandLine] = CommandLineOf(Environment.GetCommandLineArgs()),
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
            if (repo.Network.Remotes["origin"]?.Url is { } url) tags[GitRepoUrl] = WithoutCredentials(url);
        }
        catch (Exception e) when (e is LibGit2SharpException or DllNotFoundException or TypeInitializationException)
        {
            // Git facts are a convenience; a run must not fail because libgit2 could not read the repo.
        }
        return tags;
    }

    /// <summary>
    /// A remote URL without its user information: <c>https://user:token@host/repo</c> is how tokens are
    /// often configured, and run tags are readable by anyone who can read the run.
    /// </summary>
    public static string WithoutCredentials(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0) return url; // scp-style git@host:repo has no secret
        return new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
    }

    /// <summary>
    /// The <see cref="CommandLine"/> tag for these arguments: secrets masked (<c>--token ***</c>,
    /// <c>postgresql://u:***@host/db</c>), since run tags are readable by anyone who can read the run.
    /// </summary>
    public static string CommandLineOf(IReadOnlyList<string> argv) =>
        Truncate(string.Join(' ', Secrets.RedactArguments(argv).Select(Quoted)), 5000);

    private static string Quoted(string arg) => arg.Length > 0 && !arg.Any(char.IsWhiteSpace) && !arg.Contains('"') ? arg : $"\"{arg.Replace("\"", "\\\"")}\"";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
