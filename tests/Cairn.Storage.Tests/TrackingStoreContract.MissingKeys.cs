using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>
/// MLflow's run search on a key a run does not have: every comparison needs the key (its SQL store
/// joins on it), so a run without the tag, param or metric never matches, even <c>!=</c>.
/// And the deletion of an experiment's tag.
/// </summary>
public abstract partial class TrackingStoreContract
{
    [Theory]
    [InlineData("tags.team != 'ds'")]
    [InlineData("tags.team = 'ml'")]
    [InlineData("tags.team LIKE 'm%'")]
    [InlineData("tags.team ILIKE 'M%'")]
    [InlineData("params.depth != '3'")]
    [InlineData("params.depth = '5'")]
    [InlineData("params.depth LIKE '%'")]
    [InlineData("metrics.loss != 1")]
    [InlineData("metrics.loss > 0")]
    [InlineData("metrics.loss < 1")]
    [InlineData("metrics.loss >= 0.5")]
    [InlineData("metrics.loss <= 0.5")]
    public async Task SearchRuns_AComparisonOnAKeyTheRunLacks_NeverMatchesIt(string filter)
    {
        var experimentId = await Store.CreateExperimentAsync(Unique("exp"));
        var bare = await NewRunAsync(experimentId, "bare");
        var full = await NewRunAsync(experimentId, "full");
        await Store.LogBatchAsync(full.Info.RunId, new LogBatch([new Metric("loss", 0.5, 1, 0)], [new Param("depth", "5")], [new RunTag("team", "ml")]));

        var found = await Store.SearchRunsAsync(new RunQuery([experimentId], filter));

        Assert.Equal(full.Info.RunId, Assert.Single(found.Items).Info.RunId);
        Assert.DoesNotContain(found.Items, r => r.Info.RunId == bare.Info.RunId);
    }

    [Fact]
    public async Task DeleteExperimentTag_RemovesIt_AndAMissingTagIsNotFound()
    {
        var id = await Store.CreateExperimentAsync(Unique("exp"), tags: [new ExperimentTag("team", "ml"), new ExperimentTag("keep", "yes")]);

        await Store.DeleteExperimentTagAsync(id, "team");

        Assert.Equal(["keep"], (await Store.GetExperimentAsync(id)).Tags.Select(t => t.Key));
        var missing = await Assert.ThrowsAsync<CairnException>(() => Store.DeleteExperimentTagAsync(id, "team"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, missing.ErrorCode);
        Assert.Equal($"No tag with name: team in experiment with id {id}", missing.Message);
    }

    [Fact]
    public async Task DeleteExperimentTag_OfADeletedExperiment_IsRefused()
    {
        var id = await Store.CreateExperimentAsync(Unique("exp"), tags: [new ExperimentTag("team", "ml")]);
        await Store.DeleteExperimentAsync(id);

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.DeleteExperimentTagAsync(id, "team"));

        Assert.NotEqual(ErrorCodes.InternalError, error.ErrorCode);
        Assert.Single((await Store.GetExperimentAsync(id)).Tags);
    }
}
