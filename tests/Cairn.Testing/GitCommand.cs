using System.Diagnostics;

namespace Cairn.Testing;

/// <summary>Runs git in a test's folder, as a test user, failing the test with git's message when git fails.</summary>
public static class GitCommand
{
    public static void Run(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.com" }.Concat(args)) info.ArgumentList.Add(a);
        using var git = Process.Start(info)!;
        git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
    }
}
