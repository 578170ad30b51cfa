using System.Diagnostics;
using Cairn.Testing;

namespace Cairn.Cli.Tests;

/// <summary>
/// The repository's ./cairn script, run by bash with a stand-in dotnet on the PATH that records its
/// arguments and, like the real one, prints warnings and a summary unless told not to.
/// </summary>
public class CairnScriptTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string FakeDotnet = """
        #!/usr/bin/env bash
        echo "$*" >> "$(dirname "$0")/dotnet.log"
        if [[ "$1" == build ]]; then
          args=" $* "
          [[ "$args" == *" -clp:ErrorsOnly"* && "$args" == *" -tl:off "* ]] || echo "warning NU1603: noise"
          [[ "$args" == *";NoSummary "* ]] || echo "Build succeeded."
          out=""; while [[ $# -gt 0 ]]; do [[ "$1" == -o ]] && out="$2"; shift; done
          mkdir -p "$out" && echo dll > "$out/cairn.dll"
        else
          echo "ran $*"
        fi
        """;

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Cairn.slnx"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Cairn.slnx not found above the tests.");
    }

    private async Task<(string Out, string Err)> RunScript(string repo, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(repo, "cairn"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["PATH"] = _folder.File("bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return (await output, await error);
    }

    [Fact]
    public async Task Script_FirstUse_SaysWhatItBuildsAndShowsNoWarnings()
    {
        var repo = _folder.File("repo");
        Directory.CreateDirectory(Path.Combine(repo, "src", "Cairn.Cli"));
        File.Copy(Path.Combine(RepositoryRoot(), "cairn"), Path.Combine(repo, "cairn"));
        Directory.CreateDirectory(_folder.File("bin"));
        File.WriteAllText(_folder.File("bin/dotnet"), FakeDotnet.Replace("\r", ""));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_folder.File("bin/dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var first = await RunScript(repo, "--help");
        var second = await RunScript(repo, "--help");

        Assert.StartsWith("cairn: building cairn (first use, about a minute)...", first.Err);
        Assert.DoesNotContain("warning", first.Out + first.Err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Build succeeded", first.Out + first.Err);
        Assert.Contains("ran " + Path.Combine(repo, "artifacts", "cli", "cairn.dll") + " --help", first.Out);
        Assert.Equal("", second.Err); // built already: nothing to say
        Assert.Equal(2, File.ReadAllLines(_folder.File("bin/dotnet.log")).Count(l => !l.StartsWith("build", StringComparison.Ordinal)));
    }
}
