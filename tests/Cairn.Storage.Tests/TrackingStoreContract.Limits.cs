using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>
/// Hostile searches and locations: every backend answers INVALID_PARAMETER_VALUE naming the limit,
/// never a database error.
/// </summary>
public abstract partial class TrackingStoreContract
{
    private static IEnumerable<string> Numbered(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}");

    [Theory]
    [InlineData("order_by", "the limit is 10")]
    [InlineData("comparisons", "the limit is 100")]
    [InlineData("filter length", "the limit is 100000")]
    [InlineData("experiment_ids", "the limit is 1000")]
    [InlineData("IN values", "the limit is 1000")]
    public async Task SearchRuns_BeyondASearchLimit_IsInvalidParameterNamingTheLimit(string limit, string named)
    {
        var experimentId = await Store.CreateExperimentAsync(Unique("exp"));
        var query = limit switch
        {
            "order_by" => new RunQuery([experimentId], OrderBy: Numbered("params.p", 64).ToList()),
            "comparisons" => new RunQuery([experimentId], Filter: string.Join(" AND ", Numbered("params.p", 1000).Select(p => $"{p} = 'v'"))),
            "filter length" => new RunQuery([experimentId], Filter: $"params.p = '{new string('v', 200_000)}'"),
            "experiment_ids" => new RunQuery(Numbered("", 32_767).ToList()),
            _ => new RunQuery([experimentId], Filter: $"params.p IN ({string.Join(',', Numbered("'v", 32_765).Select(v => v + "'"))})"),
        };

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.SearchRunsAsync(query));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task SearchRuns_AtEverySearchLimit_FindsTheRun()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId, new LogBatch(Params: Numbered("p", 99).Select(p => new Param(p, "v")).ToList()));
        var comparisons = Numbered("params.p", 99).Select(p => $"{p} = 'v'")
            .Append($"params.p0 IN ('v', {string.Join(',', Numbered("'x", 999).Select(v => v + "'"))})");
        var experimentIds = Numbered("", 999).Select(i => (int.Parse(i) + 100_000).ToString()).Append(run.Info.ExperimentId).ToList();

        var page = await Store.SearchRunsAsync(new RunQuery(experimentIds, string.Join(" AND ", comparisons),
            OrderBy: Numbered("params.p", 10).Select(p => p + " DESC").ToList()));

        Assert.Equal(run.Info.RunId, Assert.Single(page.Items).Info.RunId);
    }

    [Fact]
    public async Task SearchExperiments_BeyondTheFilterAndOrderLimits_IsInvalidParameter()
    {
        var tooManyComparisons = string.Join(" AND ", Enumerable.Repeat("tags.t = 'v'", 1000));
        var filterError = await Assert.ThrowsAsync<CairnException>(() => Store.SearchExperimentsAsync(new ExperimentQuery(Filter: tooManyComparisons)));
        var orderError = await Assert.ThrowsAsync<CairnException>(() => Store.SearchExperimentsAsync(new ExperimentQuery(OrderBy: Enumerable.Repeat("name", 64).ToList())));

        Assert.Equal(ErrorCodes.InvalidParameterValue, filterError.ErrorCode);
        Assert.Contains("the limit is 100", filterError.Message);
        Assert.Equal(ErrorCodes.InvalidParameterValue, orderError.ErrorCode);
        Assert.Contains("the limit is 10", orderError.Message);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc")]
    [InlineData("s3://someone-elses-bucket/models")]
    [InlineData("http://attacker.example/artifacts")]
    [InlineData("mlflow-artifacts:/../../etc")]
    public async Task CreateExperiment_LocationThisServerWouldNotServe_IsInvalidParameter(string location)
    {
        var name = Unique("exp");
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateExperimentAsync(name, location));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("artifact_location", error.Message);
        Assert.Null(await Store.GetExperimentByNameAsync(name));
    }

    [Fact]
    public async Task CreateExperiment_LocationUnderTheArtifactProxy_IsKept()
    {
        var id = await Store.CreateExperimentAsync(Unique("exp"), "mlflow-artifacts:/shared/team-a");
        var run = await Store.CreateRunAsync(new NewRun(id));

        Assert.Equal("mlflow-artifacts:/shared/team-a", (await Store.GetExperimentAsync(id)).ArtifactLocation);
        Assert.Equal($"mlflow-artifacts:/shared/team-a/{run.Info.RunId}/artifacts", run.Info.ArtifactUri);
    }
}
