using Cairn.Pipelines;

namespace Cairn.Pipelines.Tests;

/// <summary>Definitions that are wrong are refused before anything runs, with the step and the file's line.</summary>
public sealed class PipelineYamlTests
{
    private static readonly HashSet<string> Builtins = ["train", "gate"];

    private static PipelineGraph Check(string yaml) => PipelineGraph.Build(PipelineYaml.Parse(yaml, "cairn.pipeline.yaml"), Builtins);

    private static string Error(string yaml) => Assert.Throws<CairnException>(() => Check(yaml)).Message;

    [Fact]
    public void DataFlow_DefinesTheDag_InDefinitionOrderWhereFree()
    {
        var graph = Check("""
            name: p
            params:
              months: {type: range, default: 1-3}
            steps:
              report:
                run: cat ${{ steps.train.outputs.model }} ${{ steps.prepare.outputs.data }}
              train:
                run: train ${{ steps.prepare.outputs.data }} > model.bin
                outputs: {model: model.bin}
              prepare:
                run: prep ${{ params.months }}
                outputs:
                  data: {path: data.csv}
              lint:
                run: lint
            """);
        Assert.Equal(["prepare", "train", "report", "lint"], graph.Order.Select(s => s.Name));
        Assert.Equal(["train", "prepare"], graph.Upstream("report"));
        Assert.Equal(new HashSet<string> { "prepare", "train", "report" }, graph.DownstreamClosure("prepare"));
    }

    [Fact]
    public void ATypoInAKey_NamesTheLine_AndSuggestsTheKey()
    {
        var message = Error("""
            name: p
            steps:
              a:
                run: echo
                retires: 2
            """);
        Assert.Equal("cairn.pipeline.yaml:5: 'retires' is not a key of step 'a' (did you mean 'retries'?).", message);
    }

    [Fact]
    public void ACycle_IsNamed_WithItsSteps()
    {
        var message = Error("""
            name: p
            steps:
              a:
                run: echo ${{ steps.c.outputs.x }}
                outputs: [x]
              b:
                run: echo ${{ steps.a.outputs.x }}
                outputs: [x]
              c:
                run: echo ${{ steps.b.outputs.x }}
                outputs: [x]
            """);
        Assert.Contains("the steps form a cycle: a -> b -> c -> a", message);
        Assert.StartsWith("cairn.pipeline.yaml:3: step 'a'", message);
    }

    [Theory]
    [InlineData("run: echo ${{ steps.nope.outputs.x }}", "cairn.pipeline.yaml:3: step 'a': run uses the output of 'nope', which is not a step of this pipeline.")]
    [InlineData("run: echo ${{ steps.b.outputs.y }}", "cairn.pipeline.yaml:3: step 'a': run uses 'y' of step 'b', which declares only x.")]
    [InlineData("run: echo ${{ params.missing }}", "cairn.pipeline.yaml:3: step 'a': run uses the parameter 'missing', which the pipeline does not declare.")]
    [InlineData("uses: trian", "cairn.pipeline.yaml:3: step 'a': uses: 'trian' is not a step kind Cairn knows; the built-in kinds are gate, train.")]
    [InlineData("run: echo ${{ steps.b.outputs.x", "cairn.pipeline.yaml:3: step 'a' (run): an expression is opened with '${{' and not closed with '}}'.")]
    [InlineData("run: echo ${{ env.HOME }}", "is not an expression Cairn knows")]
    [InlineData("needs: [zz]", "cairn.pipeline.yaml:3: step 'a' says nothing to run")]
    public void AMissingInputOrUnknownKind_IsRefused(string line, string expected)
    {
        var message = Error($"""
            name: p
            steps:
              a:
                {line}
              b:
                run: echo x
                outputs: [x]
            """);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("timeout: soon", "cairn.pipeline.yaml:5: a duration is written like 90s, 5m, 1h30m or 2h.")]
    [InlineData("resources: {memory: lots}", "cairn.pipeline.yaml:5: memory must be a size such as 512Mi, 4Gi or 2G.")]
    [InlineData("retries: -1", "cairn.pipeline.yaml:5: retries must be a whole number from 0 to 100.")]
    [InlineData("uses: train", "cairn.pipeline.yaml:3: step 'a' mixes 'run' and 'uses': a step has one kind.")]
    [InlineData("cache: maybe", "cairn.pipeline.yaml:5: cache must be true or false.")]
    public void MalformedValues_AreRefused_WithTheirLine(string line, string expected)
    {
        var message = Error($"""
            name: p
            steps:
              a:
                run: echo
                {line}
            """);
        Assert.Equal(expected, message);
    }

    [Fact]
    public void NeedsOfAnUnknownStep_IsRefused() =>
        Assert.Equal("cairn.pipeline.yaml:3: step 'a': needs: 'zz' is not a step of this pipeline.", Error("name: p\nsteps:\n  a:\n    run: echo\n    needs: [zz]\n"));

    [Fact]
    public void NotYaml_NamesTheLine()
    {
        var message = Error("name: p\nsteps:\n  a:\n    run: [unclosed\n");
        Assert.StartsWith("cairn.pipeline.yaml:", message);
        Assert.Contains("not valid YAML", message);
    }

    [Theory]
    [InlineData("int", "3", "03", "3")]
    [InlineData("float", "0.5", "5e-1", "0.5")]
    [InlineData("bool", "true", "yes", "true")]
    [InlineData("range", "1-3", "4", "4-4")]
    public void ParameterValues_AreCheckedAndCanonical(string type, string defaultValue, string given, string expected)
    {
        var pipeline = PipelineYaml.Parse($"name: p\nparams:\n  x: {{type: {type}, default: '{defaultValue}'}}\nsteps:\n  a:\n    run: echo\n", "f.yaml");
        Assert.Equal(expected, ParameterValues.Resolve(pipeline, new Dictionary<string, string> { ["x"] = given })["x"]);
    }

    [Theory]
    [InlineData("int", "three", "f.yaml:3: the parameter 'x' is of type int: 'three' is not an integer.")]
    [InlineData("range", "3-1", "f.yaml:3: the parameter 'x' is of type range: '3-1' is not a range such as 1-3.")]
    [InlineData("bool", "perhaps", "f.yaml:3: the parameter 'x' is of type bool: 'perhaps' is not true or false.")]
    public void AParameterOfTheWrongType_IsRefused(string type, string given, string expected)
    {
        var pipeline = PipelineYaml.Parse($"name: p\nparams:\n  x: {{type: {type}}}\nsteps:\n  a:\n    run: echo\n", "f.yaml");
        var e = Assert.Throws<CairnException>(() => ParameterValues.Resolve(pipeline, new Dictionary<string, string> { ["x"] = given }));
        Assert.Equal(expected, e.Message);
        Assert.Contains("has no parameter 'y'", Assert.Throws<CairnException>(() => ParameterValues.Resolve(pipeline, new Dictionary<string, string> { ["y"] = "1" })).Message);
        Assert.Contains("has no default", Assert.Throws<CairnException>(() => ParameterValues.Resolve(pipeline, new Dictionary<string, string>())).Message);
    }

    [Fact]
    public void TheCSharpBuilder_BuildsTheSameModel()
    {
        var pipeline = Pipeline.Create("p")
            .Parameter("n", ParameterType.Int, "2")
            .Shell("make", "seq 1 ${{ params.n }} > n.txt", s => s.Output("numbers", "n.txt").Retries(2).Timeout(TimeSpan.FromMinutes(1)))
            .Step("sum", (context, _) => Task.CompletedTask, s => s.With("file", "${{ steps.make.outputs.numbers }}").Output("total"))
            .Build();
        var graph = PipelineGraph.Build(pipeline, Builtins);
        Assert.Equal(["make"], graph.Upstream("sum"));
        Assert.Equal(2, pipeline.Step("make").Retries);
    }
}
