using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Client.Tests;

/// <summary>Child runs: MLflow's parent tag, the same experiment, and no child left open after its parent.</summary>
public class NestedRunTests
{
    [Fact]
    public async Task StartChildRun_OnEmbeddedStore_IsTaggedWithTheParentInTheSameExperiment()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        string parentId, childId;
        using (var parent = cairn.StartRun(experiment: "cv", runName: "sweep"))
        {
            using var child = parent.StartChildRun("fold-1", new Dictionary<string, string> { ["fold"] = "1" });
            parentId = parent.RunId;
            childId = child.RunId;
            Assert.Equal(parent.RunId, child.ParentRunId);
            Assert.Null(parent.ParentRunId);
        }

        var stored = await cairn.Tracking.GetRunAsync(childId);
        Assert.Contains(new RunTag("mlflow.parentRunId", parentId), stored.Data.Tags);
        Assert.Contains(new RunTag("fold", "1"), stored.Data.Tags);
        Assert.Equal("fold-1", stored.Info.RunName);
        Assert.Equal((await cairn.Tracking.GetRunAsync(parentId)).Info.ExperimentId, stored.Info.ExperimentId);
        Assert.DoesNotContain((await cairn.Tracking.GetRunAsync(parentId)).Data.Tags, t => t.Key == MlflowTags.ParentRunId);
    }

    [Fact]
    public async Task DisposingTheParent_EndsAnOpenChildFirst_FinishedOrFailedAsTheParent()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = server.Client();
        var parent = cairn.StartRun(experiment: "cv");
        var child = await parent.StartChildRunAsync("fold-1");
        child.LogMetric("auc", 0.8);
        parent.Dispose();

        Assert.Equal(RunStatus.Finished, (await server.Store.GetRunAsync(child.RunId)).Info.Status);
        Assert.Equal(0.8, (await server.Store.GetRunAsync(child.RunId)).Data.Metrics.Single().Value);
        Assert.Throws<CairnException>(() => child.LogMetric("auc", 0.9)); // the child has ended

        var failedParent = cairn.StartRun(experiment: "cv");
        var failedChild = failedParent.StartChildRun("fold-2");
        failedParent.End(RunStatus.Failed);
        Assert.Equal(RunStatus.Failed, (await server.Store.GetRunAsync(failedChild.RunId)).Info.Status);
    }

    [Fact]
    public async Task ExceptionUnwindingThroughTheParent_FailsTheOpenChild()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        ActiveRun? child = null;
        try
        {
            using var parent = cairn.StartRun(experiment: "cv");
            child = parent.StartChildRun("fold-1");
            throw new InvalidOperationException("training diverged");
        }
        catch (InvalidOperationException) { }

        Assert.Equal(RunStatus.Failed, (await cairn.Tracking.GetRunAsync(child!.RunId)).Info.Status);
    }

    [Fact]
    public async Task EndedChild_LeavesTheParentOpen_AndAnEndedParentStartsNoChild()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        var parent = cairn.StartRun(experiment: "cv");
        using (parent.StartChildRun("fold-1")) { }
        Assert.Equal(RunStatus.Running, (await cairn.Tracking.GetRunAsync(parent.RunId)).Info.Status);
        parent.End();

        var error = Assert.Throws<CairnException>(() => parent.StartChildRun("late"));
        Assert.Equal(ErrorCodes.InvalidState, error.ErrorCode);
    }

    [Fact]
    public async Task StartRun_WithParentRunId_NestsTheRun_AndAnUnknownParentIsNotFound()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = server.Client();
        using var parent = cairn.StartRun(experiment: "cv");
        using var child = cairn.StartRun(experiment: "cv", runName: "trial", parentRunId: parent.RunId);

        Assert.Equal(parent.RunId, child.ParentRunId);
        Assert.Contains(new RunTag(MlflowTags.ParentRunId, parent.RunId), (await server.Store.GetRunAsync(child.RunId)).Data.Tags);
        var error = Assert.Throws<CairnException>(() => cairn.StartRun(experiment: "cv", parentRunId: "0123456789abcdef0123456789abcdef"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }
}
