using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Pipelines.Kubernetes;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Tests.Kubernetes;

public sealed partial class KubernetesJobsTests
{
    [Fact]
    public void Build_Step_MapsEveryFieldOfTheStep()
    {
        var job = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Step("train", "prepare", "features"), SampleSteps.Image);

        Assert.Equal("batch/v1", job.ApiVersion);
        Assert.Equal("Job", job.Kind);
        Assert.Matches(DnsLabel(), job.Metadata.Name);
        Assert.StartsWith("train-delay-train-", job.Metadata.Name);
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/managed-by"] = "cairn",
            ["cairn.dev/pipeline"] = "train_delay",
            ["cairn.dev/run"] = SampleSteps.RunId,
            ["cairn.dev/step"] = "train",
        };
        Assert.Equal(labels, job.Metadata.Labels);
        Assert.Equal(labels, job.Spec.Template.Metadata.Labels);
        Assert.Equal(["prepare", "features"], JsonSerializer.Deserialize<string[]>(job.Metadata.Annotations["cairn.dev/depends-on"])!);
        Assert.Equal(
            string.Join(",", KubernetesNames.JobName(SampleSteps.Pipeline, SampleSteps.RunId, "prepare"), KubernetesNames.JobName(SampleSteps.Pipeline, SampleSteps.RunId, "features")),
            job.Metadata.Annotations["cairn.dev/depends-on-jobs"]);
        Assert.Equal("train", job.Metadata.Annotations["cairn.dev/step-name"]);
        Assert.Equal(SampleSteps.RunId, job.Metadata.Annotations["cairn.dev/run-id"]);

        Assert.Equal(2, job.Spec.BackoffLimit);
        Assert.Equal(600 * 3, job.Spec.ActiveDeadlineSeconds); // ten minutes for each of three tries
        Assert.Equal(86400, job.Spec.TtlSecondsAfterFinished);
        var pod = job.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        Assert.Equal(600, pod.ActiveDeadlineSeconds);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("step", container.Name);
        Assert.Equal(SampleSteps.Image, container.Image);
        Assert.Equal(["cairn", "pipeline", "step", "--run", SampleSteps.RunId, "--step", "train"], container.Command);
        Assert.Null(container.Args);
        Assert.Equal([("CAIRN_STEP", "train"), ("CAIRN_TRACKING_URI", "http://cairn:5000")], container.Env.Select(e => (e.Name, e.Value)));
        Assert.Equal("/work", container.WorkingDir);
        Assert.Equal("1500m", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("2147483648", container.Resources.Requests["memory"].ToString());
        Assert.Equal(container.Resources.Requests.ToDictionary(q => q.Key, q => q.Value.ToString()), container.Resources.Limits.ToDictionary(q => q.Key, q => q.Value.ToString()));
    }

    [Fact]
    public void Build_StepWithoutLimits_LeavesThemOut()
    {
        var step = SampleSteps.Diamond().Single(s => s.Name == "evaluate") with { Environment = new Dictionary<string, string>(), WorkingDirectory = "" };

        var job = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, step, SampleSteps.Image);

        var container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal("registry.example/eval:2", container.Image); // the step's own image wins over the default
        Assert.Null(container.Resources);
        Assert.Null(container.Env);
        Assert.Null(container.WorkingDir);
        Assert.Null(job.Spec.ActiveDeadlineSeconds);
        Assert.Null(job.Spec.Template.Spec.ActiveDeadlineSeconds);
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal("[\"prepare\"]", job.Metadata.Annotations["cairn.dev/depends-on"]);
    }

    [Theory]
    [InlineData(0.5, "500m")]
    [InlineData(1, "1")]
    [InlineData(2.0, "2")]
    [InlineData(0.1, "100m")]
    [InlineData(1.25, "1250m")]
    [InlineData(0.0001, "1m")] // rounded up: a step never gets less than it asked for
    public void Build_Cpus_BecomeAQuantity(double cpus, string expected)
    {
        var step = SampleSteps.Step("s") with { Resources = new StepResources(Cpus: cpus) };

        var container = KubernetesJobs.Build("p", "r", step, "img").Spec.Template.Spec.Containers[0];

        Assert.Equal(expected, container.Resources.Limits["cpu"].ToString());
        Assert.False(container.Resources.Limits.ContainsKey("memory"));
    }

    [Fact]
    public void Build_Yaml_ReadsBackStrictlyToTheSameJob()
    {
        foreach (var job in KubernetesJobs.BuildAll(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image))
        {
            var yaml = KubernetesYaml.Serialize(job);

            var back = KubernetesYaml.Deserialize<V1Job>(yaml, strict: true);

            Assert.Equal(yaml, KubernetesYaml.Serialize(back));
            Assert.Equal(KubernetesJson.Serialize(job), KubernetesJson.Serialize(back));
            Assert.Equal(job.Metadata.Name, back.Metadata.Name);
            Assert.Equal("Never", back.Spec.Template.Spec.RestartPolicy);
            Assert.Equal(job.Spec.BackoffLimit, back.Spec.BackoffLimit);
            Assert.Equal(job.Spec.TtlSecondsAfterFinished, back.Spec.TtlSecondsAfterFinished);
            Assert.Equal(job.Metadata.Annotations["cairn.dev/depends-on"], back.Metadata.Annotations["cairn.dev/depends-on"]);
            Assert.Equal(job.Spec.Template.Spec.Containers[0].Command, back.Spec.Template.Spec.Containers[0].Command);
        }
    }

    [Fact]
    public void Build_Yaml_SpellsTheFieldsAsKubernetesDoes()
    {
        var job = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Step("train", "prepare"), SampleSteps.Image);

        var yaml = KubernetesYaml.Serialize(job);

        foreach (var field in new[] { "apiVersion: batch/v1", "kind: Job", "backoffLimit: 2", "activeDeadlineSeconds: 1800", "ttlSecondsAfterFinished: 86400",
                     "restartPolicy: Never", "activeDeadlineSeconds: 600", "workingDir: /work", "cpu: 1500m", "cairn.dev/depends-on: '[\"prepare\"]'" })
            Assert.Contains(field, yaml);
        Assert.Matches(@"memory: ""?2147483648""?", yaml);
    }

    [Fact]
    public void ToYaml_Run_IsOneDocumentPerStepInDependencyOrder()
    {
        var jobs = KubernetesJobs.BuildAll(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image);

        var documents = KubernetesYaml.LoadAllFromString(KubernetesJobs.ToYaml(jobs), strict: true);

        var read = documents.Cast<V1Job>().Select(j => j.Metadata.Annotations["cairn.dev/step-name"]).ToList();
        Assert.Equal(["prepare", "train", "evaluate", "register"], read);
        Assert.Equal(jobs.Select(j => KubernetesJson.Serialize(j)), documents.Select(j => KubernetesJson.Serialize(j)));
    }

    [Theory]
    [MemberData(nameof(InvalidSteps))]
    public void Build_InvalidStep_IsRefusedWithOneLine(string why, StepJob step, string expected)
    {
        var error = Assert.Throws<CairnException>(() => KubernetesJobs.Build("pipeline", "run", step, null));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(string.IsNullOrEmpty(why));
    }

    public static TheoryData<string, StepJob, string> InvalidSteps()
    {
        var good = SampleSteps.Step("s") with { Image = "img" };
        return new()
        {
            { "empty name", good with { Name = "" }, "step name is empty" },
            { "control character", good with { Name = "a\nb" }, "control character" },
            { "too long", good with { Name = new string('a', 300) }, "at most 253" },
            { "no command", good with { Command = [] }, "has no command" },
            { "empty program", good with { Command = [""] }, "has no command" },
            { "NUL in an argument", good with { Command = ["echo", "a\0b"] }, "NUL" },
            { "negative retries", good with { Retries = -1 }, "cannot be negative" },
            { "zero timeout", good with { Timeout = TimeSpan.Zero }, "positive duration" },
            { "no CPUs", good with { Resources = new StepResources(Cpus: 0) }, "CPUs" },
            { "NaN CPUs", good with { Resources = new StepResources(Cpus: double.NaN) }, "CPUs" },
            { "negative memory", good with { Resources = new StepResources(MemoryBytes: -1) }, "bytes of memory" },
            { "variable starting with a digit", good with { Environment = new Dictionary<string, string> { ["1X"] = "v" } }, "'1X'" },
            { "variable with '='", good with { Environment = new Dictionary<string, string> { ["A=B"] = "v" } }, "'A=B'" },
            { "NUL in a value", good with { Environment = new Dictionary<string, string> { ["A"] = "x\0y" } }, "NUL" },
            { "relative folder", good with { WorkingDirectory = "work/../x" }, "absolute path" },
            { "no image at all", good with { Image = null }, "no image" },
            { "image with a space", good with { Image = "alpine; rm -rf /" }, "contains a space" },
        };
    }

    [Fact]
    public void Build_ControlCharacterInPipelineOrRun_IsRefused()
    {
        Assert.Contains("pipeline name", Assert.Throws<CairnException>(() => KubernetesJobs.Build("p\u0007", "r", SampleSteps.Step("s"), "i")).Message);
        Assert.Contains("run ID is empty", Assert.Throws<CairnException>(() => KubernetesJobs.Build("p", "", SampleSteps.Step("s"), "i")).Message);
    }

    [Theory]
    [InlineData("unknown dependency", "not a step of this pipeline")]
    [InlineData("cycle", "cycle among their dependencies")]
    [InlineData("self", "depends on itself")]
    [InlineData("duplicate", "Two steps are named 'a'")]
    [InlineData("empty", "no steps")]
    public void BuildAll_StepsThatAreNoDag_AreRefused(string shape, string expected)
    {
        IReadOnlyList<StepJob> steps = shape switch
        {
            "unknown dependency" => [SampleSteps.Step("a", "ghost")],
            "cycle" => [SampleSteps.Step("a", "c"), SampleSteps.Step("b", "a"), SampleSteps.Step("c", "b"), SampleSteps.Step("d")],
            "self" => [SampleSteps.Step("a", "a")],
            "duplicate" => [SampleSteps.Step("a"), SampleSteps.Step("a")],
            _ => [],
        };

        var error = Assert.Throws<CairnException>(() => KubernetesJobs.BuildAll("p", "r", steps, "img"));

        Assert.Contains(expected, error.Message);
        if (shape == "cycle") Assert.DoesNotContain("'d'", error.Message);
    }

    [Fact]
    public void PodFor_Job_HasThePodTemplateAndNoSharedState()
    {
        var job = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Step("train"), SampleSteps.Image);

        var pod = KubernetesJobs.PodFor(job);

        Assert.Equal(("v1", "Pod"), (pod.ApiVersion, pod.Kind));
        Assert.Equal(job.Metadata.Name, pod.Metadata.Name);
        Assert.Equal(job.Spec.Template.Metadata.Labels, pod.Metadata.Labels);
        Assert.Equal(KubernetesJson.Serialize(job.Spec.Template.Spec), KubernetesJson.Serialize(pod.Spec));
        pod.Spec.Containers[0].Command.Add("--changed");
        Assert.Equal(7, job.Spec.Template.Spec.Containers[0].Command.Count);
        var yaml = KubernetesYaml.Serialize(pod);
        Assert.Equal(yaml, KubernetesYaml.Serialize(KubernetesYaml.Deserialize<V1Pod>(yaml, strict: true)));
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    internal static partial Regex DnsLabel();
}
