using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Client.Tests;

/// <summary>A training process that exits without disposing its run, or crashes, loses nothing it logged.</summary>
public class ProcessExitTests
{
    [Theory]
    [InlineData("exit", RunStatus.Finished)]
    [InlineData("crash", RunStatus.Failed)]
    public async Task ProcessEnds_WithoutDispose_AllMetricsArriveAndStatusIsSet(string mode, RunStatus expected)
    {
        using var folder = new TempFolder();
        using var child = ChildProcess.StartDll("Cairn.Testing.Logger.dll", [mode, "exit-test", "5000"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path });

        var exitCode = await child.WaitAsync(TimeSpan.FromSeconds(60));
        var runId = child.StandardOutput.Split('\n')[0].Trim();

        if (expected == RunStatus.Finished) Assert.Equal(0, exitCode);
        else Assert.NotEqual(0, exitCode); // the crash still crashes
        Assert.True(Ids.IsValid(runId), $"stdout: {child.StandardOutput} stderr: {child.StandardError}");
        using var store = new SqliteTrackingStore(Path.Combine(folder.Path, "cairn.db"));
        var run = await store.GetRunAsync(runId);
        Assert.Equal(expected, run.Info.Status);
        Assert.Equal(5000, (await store.GetMetricHistoryAsync(runId, "loss")).Items.Count);
    }
}
