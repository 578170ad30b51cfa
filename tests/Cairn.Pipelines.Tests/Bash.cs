using System.Diagnostics;

namespace Cairn.Pipelines.Tests;

/// <summary>Runs a script with the real bash, as the CI services' Linux runners do.</summary>
internal static class Bash
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string script, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, bool syntaxOnly = false)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (syntaxOnly) info.ArgumentList.Add("-n");
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
