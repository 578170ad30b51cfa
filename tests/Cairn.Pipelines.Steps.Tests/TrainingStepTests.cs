using Cairn.Models;

namespace Cairn.Pipelines.Steps.Tests;

/// <summary>train, evaluate, register, alias and deploy on a small table written by the test.</summary>
public sealed class TrainingStepTests : IDisposable
{
    private readonly StepsFixture _f = new();

    public TrainingStepTests() => _f.WriteToyTable();

    public void Dispose() => _f.Dispose();

    private const string Chain = """
        name: toy
        steps:
          train:
            uses: train
            with:
              data: toy.csv
              label: late
              categorical: origin
              trainer: SdcaLogisticRegression
              options: {MaximumNumberOfIterations: 20}
              filter: month=1-2
            outputs: [model, rows]
          evaluate:
            uses: evaluate
            with:
              model: ${{ steps.train.outputs.model }}
              data: toy.csv
              label: late
              filter: month=3
            outputs: [auc, rows, run_id]
          register:
            uses: register
            needs: [evaluate]
            with:
              model: ${{ steps.train.outputs.model }}
              name: toy
            outputs: [version, model_uri]
          alias:
            uses: alias
            with:
              name: toy
              version: ${{ steps.register.outputs.version }}
              alias: challenger
            outputs: [model_uri]
          deploy:
            uses: deploy
            with:
              model: ${{ steps.alias.outputs.model_uri }}
              output: deploy/toy
              image: toy:1
            outputs: [model_uri, folder]
        """;

    [Fact]
    public async Task TrainEvaluateRegisterAliasDeploy_LogWhatTheyDid_AndSetTheirOutputs()
    {
        var result = await _f.RunYamlAsync(Chain);
        StepsFixture.AssertSucceeded(result);
        var train = await _f.StepRunAsync(result, "train");
        Assert.Equal("SdcaLogisticRegression", train.Data.Params.Single(p => p.Key == "trainer").Value);
        Assert.Equal("20", train.Data.Params.Single(p => p.Key == "option.MaximumNumberOfIterations").Value);
        Assert.Equal(400, train.Data.Metrics.Single(m => m.Key == "training_rows").Value); // months 1 and 2 of 600 rows

        var evaluate = await _f.StepRunAsync(result, "evaluate");
        var auc = evaluate.Data.Metrics.Single(m => m.Key == "auc").Value;
        Assert.InRange(auc, 0.8, 1.0); // the toy label is learnable from hour and origin
        Assert.Equal(200, evaluate.Data.Metrics.Single(m => m.Key == "rows").Value);
        // The model's own run gets the metrics too, so gates can read models:/toy@alias.metrics.auc.
        Assert.Equal(auc, train.Data.Metrics.Single(m => m.Key == "auc").Value);

        var version = await _f.Client.Registry.GetModelVersionByAliasAsync("toy", "challenger");
        Assert.Equal("1", version.Version);
        Assert.Equal(train.Info.RunId, version.RunId);
        using var model = await _f.Client.LoadModelAsync("models:/toy@challenger");
        float Late(float hour) => (float)model.Predict(new Dictionary<string, object?> { ["hour"] = hour, ["month"] = 3f, ["distance"] = 700f, ["origin"] = "SEA" })["Probability"]!;
        Assert.True(Late(21) > Late(8), "an evening departure is likelier to be late");

        var deployment = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_f.Workspace, "deploy/toy/deployment.json"))).RootElement;
        Assert.Equal("models:/toy/1", deployment.GetProperty("model_uri").GetString());
        Assert.True(File.Exists(Path.Combine(_f.Workspace, "deploy/toy/model/MLmodel")));
        Assert.Equal([("toy", "1")], _f.ImageContexts.Select(c => (c.Name, c.Version)));
        Assert.True(File.Exists(Path.Combine(_f.Workspace, "deploy/toy/image/Containerfile")));
    }

    [Fact]
    public async Task Deploy_WithBuild_RunsPodmanBuildOnTheImageContext()
    {
        var chain = Chain.Replace("      image: toy:1\n", "      image: toy:1\n      build: true\n", StringComparison.Ordinal);
        Assert.Contains("build: true", chain);
        var script = Path.Combine(_f.Workspace, "fake-podman.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" > '{_f.Workspace}/podman-args.txt'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var builtins = new Dictionary<string, IPipelineStep>(_f.Engine.Builtins) { ["deploy"] = new DeployStep((c, _, _, _) => Directory.CreateDirectory(c), script) };
        var engine = _f.Engine with { Builtins = builtins };
        var result = await new PipelineRunner(engine).RunAsync(_f.Write(chain), _f.Workspace, new PipelineRunOptions());
        StepsFixture.AssertSucceeded(result);
        Assert.Equal($"build -t toy:1 {Path.Combine(_f.Workspace, "deploy/toy/image")}", File.ReadAllText(Path.Combine(_f.Workspace, "podman-args.txt")).Trim());
    }

    [Theory]
    [InlineData("trainer: Nope", "with.trainer is refused: 'Nope' is not a binary classification trainer; the trainers are ", "LightGbm")]
    [InlineData("options: {NumberOfLeafs: 3}", "with.options is refused: 'NumberOfLeafs' is not an option of LightGbm; its options are ", "NumberOfLeaves")]
    [InlineData("options: NumberOfLeaves=many", "with.options is refused: the option NumberOfLeaves of LightGbm is a ", "'many' is not one")]
    [InlineData("options: NumberOfLeaves", "with.options has 'NumberOfLeaves': write name=value pairs", "")]
    [InlineData("features: hour,altitude", "with.features names the column 'altitude', which toy.csv does not have; its columns are hour, month, distance, origin, late.", "")]
    [InlineData("filter: month", "with.filter is 'month': write column=range", "")]
    [InlineData("filter: month=7", "with.filter leaves no training rows in toy.csv.", "")]
    [InlineData("categorical: destination", "with.categorical names 'destination', which is not one of the features.", "")]
    [InlineData("lable: late", "'with.lable' is not an argument of uses: train; its arguments are data, label,", "")]
    public async Task Train_RefusesBadArguments_NamingThem(string line, string expected, string alsoExpected)
    {
        var with = new Dictionary<string, string> { ["data"] = "toy.csv", ["label"] = "late", ["categorical"] = "origin" };
        var (key, value) = (line[..line.IndexOf(':')], line[(line.IndexOf(':') + 2)..]);
        if (key == "lable") with.Remove("label");
        if (key == "features") with.Remove("categorical");
        with[key] = value;
        var yaml = "name: toy\nsteps:\n  train:\n    uses: train\n    with:\n" + string.Concat(with.Select(kv => $"      {kv.Key}: {kv.Value}\n"));
        var error = StepsFixture.FailureOf(await _f.RunYamlAsync(yaml), "train");
        Assert.StartsWith("step 'train': ", error);
        Assert.Contains(expected, error);
        Assert.Contains(alsoExpected, error);
    }

    [Fact]
    public async Task Train_WithoutALabel_SaysWhichArgumentIsMissing()
    {
        var error = StepsFixture.FailureOf(await _f.RunYamlAsync("name: toy\nsteps:\n  train:\n    uses: train\n    with: {data: toy.csv}\n"), "train");
        Assert.Equal("step 'train' needs 'with.label'.", error);
    }

    [Theory]
    [InlineData("model: models:/toy/1", "register", "with.model is 'models:/toy/1': register a model logged by a run")]
    [InlineData("model: runs:/0123456789abcdef0123456789abcdef/model", "register", "with.model (runs:/0123456789abcdef0123456789abcdef/model) cannot be registered")]
    public async Task Register_RefusesWhatIsNotALoggedModel(string line, string step, string expected)
    {
        var yaml = $"name: toy\nsteps:\n  {step}:\n    uses: register\n    with:\n      {line}\n      name: toy\n";
        Assert.Contains(expected, StepsFixture.FailureOf(await _f.RunYamlAsync(yaml), step));
    }

    [Fact]
    public async Task Alias_RefusesAVersionThatIsNotANumber()
    {
        var yaml = "name: toy\nsteps:\n  a:\n    uses: alias\n    with: {name: toy, version: latest, alias: challenger}\n";
        Assert.Contains("with.version is 'latest': give a version number", StepsFixture.FailureOf(await _f.RunYamlAsync(yaml), "a"));
    }

    [Theory]
    [InlineData("model: runs:/abc/model\n      output: out", "with.model is 'runs:/abc/model': deploy a registered version")]
    [InlineData("model: models:/toy/1\n      output: ../escape", "leads outside the pipeline's folder")]
    [InlineData("model: models:/toy/1\n      output: out\n      build: true", "with.build needs with.image")]
    [InlineData("model: models:/toy/1\n      output: out\n      image: 'Bad Tag!'", "with.image is 'Bad Tag!'")]
    [InlineData("model: models:/nobody/1\n      output: out", "with.model (models:/nobody/1) cannot be resolved")]
    public async Task Deploy_RefusesBadArguments(string lines, string expected)
    {
        var yaml = $"name: toy\nsteps:\n  d:\n    uses: deploy\n    with:\n      {lines}\n";
        Assert.Contains(expected, StepsFixture.FailureOf(await _f.RunYamlAsync(yaml), "d"));
    }

    [Theory]
    [InlineData("model: nonsense\n      data: toy.csv\n      label: late", "with.model is 'nonsense': name a model as runs:/")]
    [InlineData("model: models:/toy/9\n      data: toy.csv\n      label: late", "with.model (models:/toy/9) cannot be loaded")]
    [InlineData("model: models:/toy/1\n      data: missing.csv\n      label: late", "with.data ('missing.csv') cannot be read")]
    public async Task Evaluate_RefusesBadArguments(string lines, string expected)
    {
        var yaml = $"name: toy\nsteps:\n  e:\n    uses: evaluate\n    with:\n      {lines}\n";
        Assert.Contains(expected, StepsFixture.FailureOf(await _f.RunYamlAsync(yaml), "e"));
    }
}
