using System.CommandLine;
using Cairn.Data;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn data ...</c>: content-addressed data versions tied to git (the DVC workflow).</summary>
internal static class DataCommands
{
    private static readonly Option<string?> WorkingDirectory = new("--directory", "-C")
    {
        Description = "Run as if started in this folder (as git -C).",
        Recursive = true,
    };

    public static Command Create(TextWriter stdout)
    {
        var command = new Command("data", "Version data files and folders beside git: add, status, diff, checkout, push, pull, tag, log, gc.");
        command.Options.Add(WorkingDirectory);
        command.Subcommands.Add(Add(stdout));
        command.Subcommands.Add(Status(stdout));
        command.Subcommands.Add(Diff(stdout));
        command.Subcommands.Add(Checkout(stdout));
        command.Subcommands.Add(Remote(stdout));
        command.Subcommands.Add(Push(stdout));
        command.Subcommands.Add(Pull(stdout));
        command.Subcommands.Add(Tag(stdout));
        command.Subcommands.Add(Versions(stdout));
        command.Subcommands.Add(Log(stdout));
        command.Subcommands.Add(Gc(stdout));
        return command;
    }

    private static DataWorkspace OpenWorkspace(ParseResult parse) =>
        DataWorkspace.Open(parse.GetValue(WorkingDirectory) ?? Directory.GetCurrentDirectory());

    /// <summary>
    /// The tracking store dataset versions go to: --tracking-uri, $CAIRN_TRACKING_URI, or the
    /// repository root's .cairn (not the current folder's), so every folder of a repo shares one.
    /// </summary>
    private static CairnClient OpenClient(ParseResult parse, string? repositoryRoot) =>
        CairnClient.Open(parse.GetValue(GlobalOptions.TrackingUri)
            ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable)
            ?? (repositoryRoot is null ? null : Path.Combine(repositoryRoot, DataWorkspace.FolderName)));

    /// <summary>The working copy's root, or null outside a git repository.</summary>
    private static string? RepositoryRoot(ParseResult parse)
    {
        try
        {
            using var git = GitHistory.Open(parse.GetValue(WorkingDirectory) ?? Directory.GetCurrentDirectory());
            return git.Root;
        }
        catch (CairnException)
        {
            return null;
        }
    }

    private static Argument<string[]> Paths(string description, int min = 0) =>
        new("paths") { Description = description, Arity = min == 0 ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore };

    private static Command Add(TextWriter stdout)
    {
        var paths = Paths("Files or folders to version.", min: 1);
        var command = new Command("add", "Store files or folders in the cache and write their pointer files (path.cairn) to commit with git.") { paths };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            foreach (var path in parse.GetValue(paths)!)
            {
                var result = await workspace.AddAsync(path, ct);
                var p = result.Pointer;
                var table = p.Table is { } t ? $", {t.Rows:N0} rows x {t.Columns.Count} columns ({t.Format})" : "";
                stdout.WriteLine($"{result.Path}: {p.Digest[..19]}... {ByteSize.Format(p.Size)} in {p.Files:N0} file(s){table}; stored {result.ObjectsStored:N0} new object(s), {ByteSize.Format(result.BytesStored)}");
                if (result.SkippedLinks > 0) stdout.WriteLine($"  skipped {result.SkippedLinks} symbolic link(s): cairn data versions regular files only");
            }
            stdout.WriteLine("Commit the .cairn pointer files (and .gitignore) with git; `cairn data push` copies the data to a remote.");
            return 0;
        });
        return command;
    }

    private static Command Status(TextWriter stdout)
    {
        var paths = Paths("Tracked paths (default: every pointer in the repository).");
        var output = GlobalOptions.Output();
        var command = new Command("status", "Show what changed, is new or is missing in the workspace against the pointers.") { paths, output };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var statuses = await workspace.StatusAsync(parse.GetValue(paths), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { statuses });
                return 0;
            }
            if (statuses.Count == 0) stdout.WriteLine("No tracked data: `cairn data add <path>` starts versioning a file or folder.");
            foreach (var s in statuses)
            {
                var cache = s.InCache ? "" : " (not in the cache: `cairn data pull`)";
                stdout.WriteLine($"{s.State,-10} {s.Path}{cache}{(s.Note is null ? "" : $" — {s.Note}")}");
                foreach (var change in s.Changes) stdout.WriteLine($"    {change.Change,-9} {change.Path}");
            }
            if (statuses.Any(s => s.State == DataStates.Modified)) stdout.WriteLine("`cairn data add <path>` records the changes; `cairn data checkout <path>` discards them.");
            return 0;
        });
        return command;
    }

    private static Command Diff(TextWriter stdout)
    {
        var from = new Argument<string?>("from") { Description = "A git revision (default HEAD).", Arity = ArgumentArity.ZeroOrOne };
        var to = new Argument<string?>("to") { Description = "A git revision (default: the pointers in the working tree).", Arity = ArgumentArity.ZeroOrOne };
        var output = GlobalOptions.Output();
        var command = new Command("diff", "Show tracked data added, removed and modified between two git revisions, with row counts and schema changes of CSV/Parquet.") { from, to, output };
        command.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var entries = workspace.Diff(parse.GetValue(from), parse.GetValue(to));
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { changes = entries });
                return Task.FromResult(0);
            }
            if (entries.Count == 0) stdout.WriteLine("No data changes.");
            foreach (var e in entries)
            {
                stdout.WriteLine($"{e.Change,-9} {e.Path}  {Describe(e.Old)} -> {Describe(e.New)}");
                foreach (var line in TableChanges(e.Old?.Table, e.New?.Table)) stdout.WriteLine($"    {line}");
                foreach (var f in e.Files) stdout.WriteLine($"    {f.Change,-9} {f.Path}");
                if (e.Note is not null) stdout.WriteLine($"    ({e.Note})");
            }
            return Task.FromResult(0);
        });
        return command;
    }

    private static string Describe(DataPointer? p) => p is null ? "(none)" : $"{p.Digest[7..15]} {ByteSize.Format(p.Size)}{(p.IsDirectory ? $" {p.Files:N0} files" : "")}";

    /// <summary>Row count and column changes between two table summaries, in words.</summary>
    private static IEnumerable<string> TableChanges(TableSummary? old, TableSummary? current)
    {
        if (old is null && current is null) yield break;
        if (old is null || current is null)
        {
            var t = (old ?? current)!;
            yield return $"{t.Format}: {t.Rows:N0} rows, columns {string.Join(", ", t.Columns.Select(c => $"{c.Name}:{c.Type}"))}";
            yield break;
        }
        var delta = current.Rows - old.Rows;
        yield return $"rows: {old.Rows:N0} -> {current.Rows:N0} ({(delta >= 0 ? "+" : "")}{delta:N0})";
        var before = old.Columns.ToDictionary(c => c.Name, c => c.Type);
        var after = current.Columns.ToDictionary(c => c.Name, c => c.Type);
        foreach (var c in current.Columns.Where(c => !before.ContainsKey(c.Name))) yield return $"column added: {c.Name} ({c.Type})";
        foreach (var c in old.Columns.Where(c => !after.ContainsKey(c.Name))) yield return $"column removed: {c.Name} ({c.Type})";
        foreach (var c in current.Columns.Where(c => before.TryGetValue(c.Name, out var type) && type != c.Type)) yield return $"column type changed: {c.Name} {before[c.Name]} -> {c.Type}";
    }

    private static Command Checkout(TextWriter stdout)
    {
        var paths = Paths("Tracked paths (default: all).");
        var force = new Option<bool>("--force") { Description = "Overwrite workspace changes that are not in the cache." };
        var command = new Command("checkout", "Make the workspace's data match the pointers (run after git checkout).") { paths, force };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var results = await workspace.CheckoutAsync(parse.GetValue(paths), parse.GetValue(force), ct);
            return PrintCheckout(stdout, results);
        });
        return command;
    }

    private static int PrintCheckout(TextWriter stdout, IReadOnlyList<CheckoutResult> results)
    {
        foreach (var r in results)
            stdout.WriteLine(r.Problem is not null
                ? $"not restored {r.Path}: {r.Problem}"
                : $"{(r.Restored + r.Removed == 0 ? "up to date" : "restored"),-10} {r.Path}{(r.Restored + r.Removed > 0 ? $" ({r.Restored:N0} written, {r.Removed:N0} removed, {r.Unchanged:N0} unchanged)" : "")}");
        return results.Any(r => r.Problem is not null) ? 1 : 0;
    }

    private static Command Remote(TextWriter stdout)
    {
        var command = new Command("remote", "Manage data remotes (s3://bucket/prefix or a folder), kept in .cairn/config.yaml.");
        var name = new Argument<string>("name") { Description = "The remote's name, e.g. origin." };
        var url = new Argument<string>("url") { Description = "s3://bucket/prefix, or a folder path." };
        var makeDefault = new Option<bool>("--default", "-d") { Description = "Make it the default remote." };
        var add = new Command("add", "Add a remote.") { name, url, makeDefault };
        add.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var config = workspace.LoadConfig();
            var remoteName = parse.GetValue(name)!;
            if (!remoteName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                throw CairnException.InvalidParameter($"Invalid remote name '{remoteName}': use letters, digits, '-' and '_'.");
            if (config.Remotes.ContainsKey(remoteName))
                throw CairnException.AlreadyExists($"A data remote named '{remoteName}' exists ({config.Remotes[remoteName]}): remove it first.");
            var remoteUrl = parse.GetValue(url)!;
            DataRemotes.Validate(remoteUrl);
            config.Remotes[remoteName] = remoteUrl;
            if (parse.GetValue(makeDefault) || config.Remotes.Count == 1) config.DefaultRemote = remoteName;
            config.Save(workspace.ConfigPath);
            stdout.WriteLine($"Added data remote {remoteName}: {remoteUrl}{(config.DefaultRemote == remoteName ? " (default)" : "")}. Commit .cairn/config.yaml to share it.");
            return Task.FromResult(0);
        });
        var list = new Command("list", "List remotes.");
        list.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var config = workspace.LoadConfig();
            if (config.Remotes.Count == 0) stdout.WriteLine("No data remotes: `cairn data remote add origin s3://bucket/prefix`.");
            foreach (var (n, u) in config.Remotes) stdout.WriteLine($"{n}\t{u}{(config.DefaultRemote == n ? "\t(default)" : "")}");
            return Task.FromResult(0);
        });
        var removeName = new Argument<string>("name") { Description = "The remote to remove." };
        var remove = new Command("remove", "Remove a remote (the data in it is left alone).") { removeName };
        remove.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var config = workspace.LoadConfig();
            var n = parse.GetValue(removeName)!;
            if (!config.Remotes.Remove(n)) throw CairnException.NotFound($"There is no data remote named '{n}'.");
            if (config.DefaultRemote == n) config.DefaultRemote = null;
            config.Save(workspace.ConfigPath);
            stdout.WriteLine($"Removed data remote {n}.");
            return Task.FromResult(0);
        });
        var defaultName = new Argument<string>("name") { Description = "The remote to use by default." };
        var setDefault = new Command("default", "Choose the default remote.") { defaultName };
        setDefault.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var config = workspace.LoadConfig();
            var n = parse.GetValue(defaultName)!;
            config.RemoteOrDefault(n);
            config.DefaultRemote = n;
            config.Save(workspace.ConfigPath);
            stdout.WriteLine($"Default data remote: {n}.");
            return Task.FromResult(0);
        });
        command.Subcommands.Add(add);
        command.Subcommands.Add(list);
        command.Subcommands.Add(remove);
        command.Subcommands.Add(setDefault);
        return command;
    }

    private static Option<string?> RemoteOption() => new("--remote", "-r") { Description = "The remote's name (default: the default remote)." };

    private static Option<int> JobsOption() => new("--jobs", "-j") { Description = "Objects transferred at once.", DefaultValueFactory = _ => 8 };

    private static Command Push(TextWriter stdout)
    {
        var paths = Paths("Tracked paths (default: all).");
        var remote = RemoteOption();
        var jobs = JobsOption();
        var command = new Command("push", "Upload the objects a remote lacks (resumable: push again after an interruption).") { paths, remote, jobs };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            workspace.Transfers = Math.Max(1, parse.GetValue(jobs));
            var result = await workspace.PushAsync(parse.GetValue(remote), parse.GetValue(paths), ct);
            return PrintSync(stdout, "pushed", result);
        });
        return command;
    }

    private static Command Pull(TextWriter stdout)
    {
        var paths = Paths("Tracked paths (default: all).");
        var remote = RemoteOption();
        var jobs = JobsOption();
        var revision = new Option<string?>("--rev") { Description = "Fetch the data of this git revision into the cache instead (no checkout)." };
        var force = new Option<bool>("--force") { Description = "Overwrite workspace changes that are not in the cache." };
        var command = new Command("pull", "Download the objects the cache lacks, verify them, and check them out.") { paths, remote, jobs, revision, force };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            workspace.Transfers = Math.Max(1, parse.GetValue(jobs));
            var (sync, checkout) = await workspace.PullAsync(parse.GetValue(remote), parse.GetValue(paths), parse.GetValue(revision), parse.GetValue(force), ct);
            var exit = PrintSync(stdout, "pulled", sync);
            return Math.Max(exit, PrintCheckout(stdout, checkout));
        });
        return command;
    }

    private static int PrintSync(TextWriter stdout, string verb, SyncResult result)
    {
        stdout.WriteLine($"{result.Remote}: {verb} {result.Transferred:N0} object(s), {ByteSize.Format(result.Bytes)}; {result.AlreadyThere:N0} already there, {result.Needed:N0} needed in all.");
        foreach (var failure in result.Failures.Take(20)) stdout.WriteLine($"  failed: {failure.Message}");
        if (result.Failures.Count > 20) stdout.WriteLine($"  ... and {result.Failures.Count - 20} more failures");
        return result.Failures.Count > 0 ? 1 : 0;
    }

    private static Command Tag(TextWriter stdout)
    {
        var path = new Argument<string>("path") { Description = "A tracked file or folder." };
        var name = new Argument<string>("name") { Description = "The dataset's name: the version becomes data:/<name>@N." };
        var description = new Option<string?>("--description") { Description = "What this version is." };
        var command = new Command("tag", "Name the tracked data as a dataset version (data:/name@N) that runs can log as an input.") { path, name, description };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            using var client = OpenClient(parse, workspace.Root);
            var (version, warnings) = await DatasetTagging.TagAsync(workspace, client.Datasets, parse.GetValue(path)!, parse.GetValue(name)!,
                parse.GetValue(description), Environment.UserName, ct);
            foreach (var warning in warnings) stdout.WriteLine($"warning: {warning}");
            stdout.WriteLine($"{version.ToUri()}  {version.Digest}  ({version.Path}{(version.GitCommit is { } c ? $" at {c[..12]}" : "")})");
            if (version.DerivedFrom.Count > 0) stdout.WriteLine($"  derived from {string.Join(", ", version.DerivedFrom)}");
            stdout.WriteLine($"Log it as a run input with run.LogInput(\"{version.ToUri()}\").");
            return 0;
        });
        return command;
    }

    private static Command Versions(TextWriter stdout)
    {
        var name = new Argument<string?>("name") { Description = "A dataset (default: list every dataset's latest version).", Arity = ArgumentArity.ZeroOrOne };
        var output = GlobalOptions.Output();
        var command = new Command("versions", "List named dataset versions.") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = OpenClient(parse, RepositoryRoot(parse));
            var versions = parse.GetValue(name) is { } n ? await client.Datasets.ListVersionsAsync(n, ct) : await client.Datasets.ListDatasetsAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { dataset_versions = versions });
                return 0;
            }
            var table = new Table().AddColumns("Version", "Digest", "Size", "Files", "Rows", "Path", "Git commit", "Created", "By", "Derived from");
            foreach (var v in versions)
                table.AddRow(Output.Escape(v.ToUri().ToString()), v.Digest[7..19], ByteSize.Format(v.Size), v.FileCount.ToString("N0"), v.Table?.Rows.ToString("N0") ?? "",
                    Output.Escape(v.Path), v.GitCommit?[..12] ?? "", Output.Time(v.CreationTime), Output.Escape(v.CreatedBy), Output.Escape(string.Join(", ", v.DerivedFrom)));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command Log(TextWriter stdout)
    {
        var path = new Argument<string>("path") { Description = "A tracked file or folder." };
        var output = GlobalOptions.Output();
        var command = new Command("log", "Show the versions of tracked data, newest first, with their git commits and dataset names.") { path, output };
        command.SetAction(async (parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var relative = workspace.Relative(parse.GetValue(path)!);
            var history = workspace.Git.History(relative + DataPointer.Extension);
            using var client = OpenClient(parse, workspace.Root);
            var named = (await client.Datasets.ListDatasetsAsync(ct)).Select(d => d.Name).ToList();
            var versionsByDigest = new Dictionary<string, List<string>>();
            foreach (var dataset in named)
                foreach (var v in await client.Datasets.ListVersionsAsync(dataset, ct))
                    (versionsByDigest.TryGetValue(v.Digest, out var list) ? list : versionsByDigest[v.Digest] = []).Add(v.ToUri().ToString());
            var rows = history.Select(h => new
            {
                commit = h.Commit, time = h.When.ToUnixTimeMilliseconds(), author = h.Author, message = h.Message,
                digest = h.Pointer.Digest, size = h.Pointer.Size, files = h.Pointer.Files, rows = h.Pointer.Table?.Rows,
                datasets = versionsByDigest.TryGetValue(h.Pointer.Digest, out var uris) ? uris : [],
            }).ToList();
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { path = relative, versions = rows });
                return 0;
            }
            if (rows.Count == 0) stdout.WriteLine($"{relative}{DataPointer.Extension} has no commits yet: commit it with git.");
            foreach (var r in rows)
                stdout.WriteLine($"{r.commit[..12]}  {Output.Time(r.time)}  {r.digest[7..19]}  {ByteSize.Format(r.size)}{(r.rows is { } n ? $"  {n:N0} rows" : "")}  {string.Join(" ", r.datasets)}  {r.author}: {r.message}");
            return 0;
        });
        return command;
    }

    private static Command Gc(TextWriter stdout)
    {
        var allCommits = new Option<bool>("--all-commits") { Description = "Keep what any commit on any branch or tag references (default: the working tree and HEAD)." };
        var revisions = new Option<string[]>("--rev") { Description = "Also keep what these revisions reference.", AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be removed." };
        var command = new Command("gc", "Remove cache entries that no pointer in the chosen revisions references.") { allCommits, revisions, dryRun };
        command.SetAction((parse, ct) =>
        {
            using var workspace = OpenWorkspace(parse);
            var result = workspace.CollectGarbage(parse.GetValue(revisions), parse.GetValue(allCommits), parse.GetValue(dryRun));
            stdout.WriteLine($"{(result.DryRun ? "would remove" : "removed")} {result.Removed:N0} object(s), {ByteSize.Format(result.BytesFreed)}; kept {result.Kept:N0}.");
            return Task.FromResult(0);
        });
        return command;
    }
}
