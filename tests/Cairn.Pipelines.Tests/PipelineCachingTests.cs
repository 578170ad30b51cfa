using Cairn.Pipelines;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests;

/// <summary>Caching on a real SQLite store with real shell steps; executions counted by the steps themselves.</summary>
public sealed class PipelineCachingTests : IDisposable
{
    private readonly PipelineFixture _f = new();

    public void Dispose() => _f.Dispose();

    // prepare -> features -> train -> report, and lint on its own; each appends its name to executions.log.
    private const string Yaml = """
        name: chain
        params:
          months: {type: range, default: 1-3}
          depth: {type: int, default: 4}
        steps:
          prepare:
            run: echo prepare >> executions.log && seq 1 10 > raw.txt && echo "months ${{ params.months }}" >> raw.txt
            outputs: {raw: raw.txt}
          features:
            run: echo features >> executions.log && mkdir -p feats && wc -l < ${{ steps.prepare.outputs.raw }} > feats/count.txt
            outputs: {features: feats}
          train:
            run: echo train >> executions.log && cat ${{ steps.features.outputs.features }}/count.txt > model.txt && echo "depth ${{ params.depth }}" >> model.txt && echo score=0.8 >> $CAIRN_OUTPUTS
            outputs:
              model: model.txt
              score:
          report:
            run: echo report >> executions.log && echo "score ${{ steps.train.outputs.score }}" > report.txt
            outputs: {report: report.txt}
          lint:
            run: echo lint >> executions.log
        """;

    [Fact]
    public async Task TheSecondRun_ExecutesNothing_AndRecordsEveryStepAsCached()
    {
        var pipeline = _f.Write(Yaml);
        var first = await _f.RunAsync(pipeline);
        Assert.True(first.Succeeded, string.Join("; ", first.Steps.Select(s => $"{s.Step}: {s.Error}")));
        Assert.Equal(5, first.Executed);
        var report = _f.Read("report.txt");

        var second = await _f.RunAsync(pipeline);
        Assert.True(second.Succeeded);
        Assert.Equal(0, second.Executed);
        Assert.All(second.Steps, s => Assert.Equal(StepState.Cached, s.State));
        Assert.All(_f.Executions().Values, count => Assert.Equal(1, count));
        Assert.Equal(report, _f.Read("report.txt"));

        // Each cached step still has a run, a child of the pipeline run, pointing at the run that computed it.
        var cachedTrain = await _f.StepRunAsync(second.PipelineRunId, "train");
        Assert.Equal(second.PipelineRunId, PipelineTags.Tag(cachedTrain, PipelineTags.ParentRun));
        Assert.Equal((await _f.StepRunAsync(first.PipelineRunId, "train")).Info.RunId, PipelineTags.Tag(cachedTrain, PipelineTags.CachedFrom));
        Assert.Equal(RunStatus.Finished, (await _f.Client.Tracking.GetRunAsync(second.PipelineRunId)).Info.Status);
    }

    [Fact]
    public async Task ChangingOneParameter_RerunsExactlyTheStepsDownstreamOfIt()
    {
        var pipeline = _f.Write(Yaml);
        await _f.RunAsync(pipeline);
        var result = await _f.RunAsync(pipeline, new PipelineRunOptions { Parameters = new Dictionary<string, string> { ["depth"] = "6" } });
        Assert.True(result.Succeeded);
        // depth is read by train; report depends on train: those two, and nothing else.
        Assert.Equal(["train", "report"], result.Steps.Where(s => s.State == StepState.Succeeded).Select(s => s.Step));
        Assert.Equal(new Dictionary<string, int> { ["prepare"] = 1, ["features"] = 1, ["train"] = 2, ["report"] = 2, ["lint"] = 1 }, _f.Executions());

        var months = await _f.RunAsync(pipeline, new PipelineRunOptions { Parameters = new Dictionary<string, string> { ["months"] = "2-4", ["depth"] = "6" } });
        // The raw file changed, so features reruns; its output (a line count) is the same, so train and report stay cached.
        Assert.Equal(["prepare", "features"], months.Steps.Where(s => s.State == StepState.Succeeded).Select(s => s.Step));
        Assert.Equal(new Dictionary<string, int> { ["prepare"] = 2, ["features"] = 2, ["train"] = 2, ["report"] = 2, ["lint"] = 1 }, _f.Executions());
    }

    [Fact]
    public async Task NoCache_RunsEverything_AndCacheFalse_RunsThatStep()
    {
        var pipeline = _f.Write(Yaml);
        await _f.RunAsync(pipeline);
        var all = await _f.RunAsync(pipeline, new PipelineRunOptions { NoCache = true });
        Assert.Equal(5, all.Executed);

        _f.Write(Yaml.Replace("    run: echo lint >> executions.log", "    run: echo lint >> executions.log\n    cache: false", StringComparison.Ordinal));
        var one = await _f.RunAsync(PipelineYaml.Load(Path.Combine(_f.Workspace, "cairn.pipeline.yaml")));
        Assert.Equal(["lint"], one.Steps.Where(s => s.State == StepState.Succeeded).Select(s => s.Step));
    }

    [Fact]
    public async Task ACachedStepsFiles_AreRestoredFromItsArtifacts_WhenMissingOrChanged()
    {
        var pipeline = _f.Write(Yaml);
        await _f.RunAsync(pipeline);
        var model = File.ReadAllBytes(Path.Combine(_f.Workspace, "model.txt"));
        File.Delete(Path.Combine(_f.Workspace, "model.txt"));
        Directory.Delete(Path.Combine(_f.Workspace, "feats"), recursive: true);
        File.WriteAllText(Path.Combine(_f.Workspace, "raw.txt"), "tampered");

        var again = await _f.RunAsync(pipeline);
        Assert.Equal(0, again.Executed);
        Assert.Equal(model, File.ReadAllBytes(Path.Combine(_f.Workspace, "model.txt")));
        Assert.Equal("11\n", _f.Read("feats/count.txt"));
        Assert.StartsWith("1\n2\n", _f.Read("raw.txt"));
    }

    [Fact]
    public async Task DeclaredInputsAndCode_AreInTheKey()
    {
        File.WriteAllText(Path.Combine(_f.Workspace, "input.csv"), "a,b\n1,2\n");
        File.WriteAllText(Path.Combine(_f.Workspace, "tool.sh"), "echo tool >> executions.log\n");
        var pipeline = _f.Write("""
            name: keyed
            steps:
              use:
                run: sh tool.sh
                inputs: [input.csv]
                code: [tool.sh]
            """);
        await _f.RunAsync(pipeline);
        await _f.RunAsync(pipeline);
        Assert.Equal(1, _f.Executions()["tool"]);
        File.AppendAllText(Path.Combine(_f.Workspace, "input.csv"), "3,4\n");
        await _f.RunAsync(pipeline);
        Assert.Equal(2, _f.Executions()["tool"]);
        File.AppendAllText(Path.Combine(_f.Workspace, "tool.sh"), "# changed\n");
        await _f.RunAsync(pipeline);
        Assert.Equal(3, _f.Executions()["tool"]);
    }
}
