using Cairn.Serving;
using Cairn.Testing;

namespace Cairn.Serving.Tests;

public sealed class InferenceLogPriorityTests
{
    /// <summary>The writer must yield the CPU to requests: Thread.Priority does nothing on Linux, so the log sets its nice value itself.</summary>
    [Fact]
    public async Task WriterThread_OnLinux_RunsAtNiceNineteen()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var folder = new TempFolder();
        await using var log = new InferenceLog(folder.File("log"));

        // The thread is named when created and lowers itself once it runs: read until it has (or 2 s have passed).
        string? nice = null;
        for (var attempt = 0; attempt < 100 && nice != "19"; attempt++)
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    var name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                    if (!name.StartsWith("cairn-inference", StringComparison.Ordinal)) continue;
                    var stat = File.ReadAllText(Path.Combine(task, "stat"));
                    nice = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16];
                    if (nice == "19") break;
                }
                catch (IOException)
                {
                    // A thread of another test ended between listing and reading: not the one looked for.
                }
            }
            if (nice != "19") await Task.Delay(20);
        }

        Assert.Equal("19", nice);
    }
}
