using System.Diagnostics;
using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>A throwaway git repository with a working tree, driven by the real git and the cairn CLI (in process, with -C).</summary>
public sealed class GitRepo : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Root { get; }
    /// <summary>The embedded tracking store the CLI's dataset commands use.</summary>
    public string TrackingUri => _folder.File("store");

    public GitRepo(string? cloneFrom = null)
    {
        Root = _folder.File("repo");
        if (cloneFrom is null)
        {
            Directory.CreateDirectory(Root);
            Git("init", "-q", "-b", "main", ".");
        }
        else
        {
            Run(_folder.Path, "clone", "-q", cloneFrom, Root);
        }
    }

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public void Write(string relative, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path(relative))!);
        File.WriteAllText(Path(relative), text);
    }

    public string Git(params string[] args) => Run(Root, args);

    public void Commit(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
    }

    public static string Run(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.com" }.Concat(args)) info.ArgumentList.Add(a);
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        return output;
    }

    /// <summary>Runs <c>cairn data ...</c> in this repository.</summary>
    public async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", TrackingUri, "data", "-C", Root, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a cairn command that must succeed, and returns what it printed.</summary>
    public async Task<string> Ok(params string[] args)
    {
        var (exit, output, error) = await Cairn(args);
        Assert.True(exit == 0, $"cairn data {string.Join(' ', args)} exited {exit}: {error}{output}");
        return output;
    }

    /// <summary>The BLAKE3 of every file under a folder (or of one file), by relative path.</summary>
    public Dictionary<string, string> Digests(string relative)
    {
        var full = Path(relative);
        if (File.Exists(full)) return new() { [relative] = ContentHash.OfFile(full).Hex };
        return Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
            .ToDictionary(f => System.IO.Path.GetRelativePath(full, f), f => ContentHash.OfFile(f).Hex);
    }

    public void Dispose() => _folder.Dispose();
}
