using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Pipelines.Kubernetes;
using Json.Schema;
using k8s;

namespace Cairn.Pipelines.Tests.Kubernetes;

public sealed class ArgoWorkflowsTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Kubernetes", "argo-workflow.schema.json"))));

    private static EvaluationResults Validate(JsonNode? document)
    {
        using var json = JsonDocument.Parse(document?.ToJsonString() ?? "null");
        return Schema.Value.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Errors(EvaluationResults results) => string.Join("; ",
        (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key} {e.Value}")));

    private static JsonNode DiamondDocument() =>
        YamlAsJson.Parse(ArgoWorkflows.ToYaml(ArgoWorkflows.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image)))!;

    [Fact]
    public void Build_Diamond_YamlMatchesTheSchema()
    {
        var results = Validate(DiamondDocument());

        Assert.True(results.IsValid, Errors(results));
    }

    [Fact]
    public void Build_Diamond_IsADagOfTheStepsContainers()
    {
        var document = DiamondDocument();

        Assert.Equal("argoproj.io/v1alpha1", (string?)document["apiVersion"]);
        Assert.Equal("Workflow", (string?)document["kind"]);
        Assert.Equal("train-delay-", (string?)document["metadata"]!["generateName"]);
        Assert.Equal(SampleSteps.RunId, (string?)document["metadata"]!["labels"]!["cairn.dev/run"]);
        var templates = document["spec"]!["templates"]!.AsArray().ToDictionary(t => (string)t!["name"]!);
        var dag = templates[(string)document["spec"]!["entrypoint"]!]!["dag"]!;
        var tasks = dag["tasks"]!.AsArray().ToDictionary(t => (string)t!["name"]!);
        Assert.Equal(["prepare", "train", "evaluate", "register"], tasks.Keys);
        foreach (var step in SampleSteps.Diamond())
        {
            var task = tasks[step.Name]!;
            Assert.Equal(step.DependsOn.Order(), (task["dependencies"]?.AsArray().Select(d => (string)d!) ?? []).Order());
            var template = templates[(string)task["template"]!]!;
            var job = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, step, SampleSteps.Image);
            var expected = YamlAsJson.Parse(KubernetesYaml.Serialize(job.Spec.Template.Spec.Containers[0]))!.AsObject();
            expected.Remove("name");
            Assert.True(JsonNode.DeepEquals(expected, template["container"]), $"{step.Name}: {template["container"]} differs from the Job's {expected}");
            Assert.Equal(step.Name, (string?)template["metadata"]!["annotations"]!["cairn.dev/step-name"]);
            Assert.Equal(step.Name, (string?)template["metadata"]!["labels"]!["cairn.dev/step"]);
            Assert.Equal(step.Retries == 0 ? null : step.Retries, (long?)template["retryStrategy"]?["limit"]);
            Assert.Equal(step.Timeout is null ? null : (long)step.Timeout.Value.TotalSeconds, (long?)template["activeDeadlineSeconds"]);
        }
    }

    [Fact]
    public void Build_Yaml_ReadsBackStrictlyToTheSameWorkflow()
    {
        var yaml = ArgoWorkflows.ToYaml(ArgoWorkflows.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image));

        var back = KubernetesYaml.Deserialize<ArgoWorkflow>(yaml, strict: true);

        Assert.Equal(yaml, ArgoWorkflows.ToYaml(back));
        Assert.Equal(5, back.Spec.Templates.Count);
    }

    [Theory]
    [InlineData("kind is not Workflow")]
    [InlineData("no entrypoint")]
    [InlineData("task name with an underscore")]
    [InlineData("task name starting with a digit")]
    [InlineData("dependencies as one string")]
    [InlineData("container without a command")]
    [InlineData("command as a shell line")]
    [InlineData("template with both a container and a DAG")]
    [InlineData("uppercase generateName")]
    [InlineData("generateName too long")]
    [InlineData("memory that is no quantity")]
    [InlineData("negative retry limit")]
    [InlineData("unknown field")]
    [InlineData("relative working directory")]
    public void Schema_BrokenWorkflow_IsRejected(string breakage)
    {
        var document = DiamondDocument();
        Assert.True(Validate(document).IsValid); // the break below is what makes it fail
        var spec = document["spec"]!;
        var templates = spec["templates"]!.AsArray();
        var train = templates.Single(t => (string?)t!["name"] == "train")!;
        var dag = templates.Single(t => t!["dag"] is not null)!["dag"]!;
        switch (breakage)
        {
            case "kind is not Workflow": document["kind"] = "Job"; break;
            case "no entrypoint": spec.AsObject().Remove("entrypoint"); break;
            case "task name with an underscore": dag["tasks"]![0]!["name"] = "pre_pare"; break;
            case "task name starting with a digit": dag["tasks"]![1]!["dependencies"] = new JsonArray("1prepare"); break;
            case "dependencies as one string": dag["tasks"]![1]!["dependencies"] = "prepare"; break;
            case "container without a command": train["container"]!.AsObject().Remove("command"); break;
            case "command as a shell line": train["container"]!["command"] = "cairn pipeline step"; break;
            case "template with both a container and a DAG": train["dag"] = dag.DeepClone(); break;
            case "uppercase generateName": document["metadata"]!["generateName"] = "Train-"; break;
            case "generateName too long": document["metadata"]!["generateName"] = new string('a', 58) + "-"; break;
            case "memory that is no quantity": train["container"]!["resources"]!["limits"]!["memory"] = "lots"; break;
            case "negative retry limit": train["retryStrategy"]!["limit"] = -1; break;
            case "unknown field": spec["onExit"] = "cleanup"; break;
            case "relative working directory": train["container"]!["workingDir"] = "work"; break;
        }

        Assert.False(Validate(document).IsValid, $"the schema accepted a Workflow with {breakage}");
    }

    [Fact]
    public void Build_HostileStepNames_GiveDistinctValidArgoNames()
    {
        var steps = HostileNameTests.Names.Select((n, i) => SampleSteps.Step(n, i == 0 ? [] : [HostileNameTests.Names[i - 1]])).ToList();

        var workflow = ArgoWorkflows.Build(HostileNameTests.Names[25], HostileNameTests.Names[20], steps, SampleSteps.Image);

        var results = Validate(YamlAsJson.Parse(ArgoWorkflows.ToYaml(workflow)));
        Assert.True(results.IsValid, Errors(results));
        var tasks = workflow.Spec.Templates.Single(t => t.Dag is not null).Dag!.Tasks;
        Assert.Equal(steps.Count, tasks.Select(t => t.Name).Distinct().Count());
        Assert.Equal(steps.Count + 1, workflow.Spec.Templates.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Build_TwoStepsThatCleanToTheSameName_AreRefused()
    {
        var clash = KubernetesNames.ArgoName("a_b");

        var error = Assert.Throws<CairnException>(() => ArgoWorkflows.Build("p", "r", [SampleSteps.Step("a_b"), SampleSteps.Step(clash)], "img"));

        Assert.Contains($"both become '{clash}'", error.Message);
    }

    [Fact]
    public void Build_StepNamedLikeTheDag_KeepsThemApart()
    {
        var workflow = ArgoWorkflows.Build("p", "r", [SampleSteps.Step("dag"), SampleSteps.Step("dag-1", "dag")], "img");

        Assert.Equal("dag-2", workflow.Spec.Entrypoint);
        Assert.Equal(["dag", "dag-1", "dag-2"], workflow.Spec.Templates.Select(t => t.Name));
        Assert.True(Validate(YamlAsJson.Parse(ArgoWorkflows.ToYaml(workflow))).IsValid);
    }
}
