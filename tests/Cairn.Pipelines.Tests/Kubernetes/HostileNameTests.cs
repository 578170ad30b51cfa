using System.Text.RegularExpressions;
using Cairn.Pipelines.Kubernetes;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>Step and pipeline names come from users' files: whatever they hold, what reaches the cluster is valid and distinct.</summary>
public sealed partial class HostileNameTests
{
    public static readonly string[] Names =
    [
        "train", "Train", "TRAIN", "train model", "train_model", "train-model", "train.model", "a_b", "a-b", "A-B", "a--b",
        "../../etc/passwd", "..", "-", "_", ".", "--x--", "123", "0", "$(rm -rf /)", "`id`", "a;b|c&d",
        "ünïcödé", "名前", "emoji 🚀 step", "it's \"quoted\": yes #no", "key: value", "- item", "*anchor", "&alias", "!tag", "%percent", "@at",
        "null", "true", "~", "1e3", "0x1F",
        new string('x', 253), new string('x', 252) + "y", new string('-', 200) + "z", "Ab" + new string('_', 100),
    ];

    [Fact]
    public void Build_HostileStepNames_GiveValidAndDistinctJobNamesAndLabels()
    {
        var jobs = Names.Select(n => KubernetesJobs.Build("pipe", SampleSteps.RunId, SampleSteps.Step(n), SampleSteps.Image)).ToList();

        foreach (var (job, name) in jobs.Zip(Names))
        {
            Assert.Matches(KubernetesJobsTests.DnsLabel(), job.Metadata.Name);
            foreach (var (key, value) in job.Metadata.Labels)
                Assert.True(value.Length <= 63 && LabelValue().IsMatch(value), $"label {key}={value} is not a valid label value (step '{name}')");
            Assert.Equal(name, job.Metadata.Annotations["cairn.dev/step-name"]);
        }
        Assert.Equal(Names.Length, jobs.Select(j => j.Metadata.Name).Distinct().Count());
        Assert.Equal(Names.Length, jobs.Select(j => j.Metadata.Labels["cairn.dev/step"]).Distinct().Count());
    }

    [Fact]
    public void Build_HostileNames_SurviveTheYamlRoundTripExactly()
    {
        var steps = Names.Select((n, i) => SampleSteps.Step(n, i == 0 ? [] : [Names[i - 1]])).ToList();

        var jobs = KubernetesJobs.BuildAll(Names[25], Names[20], steps, SampleSteps.Image);

        var back = KubernetesYaml.LoadAllFromString(KubernetesJobs.ToYaml(jobs), strict: true).Cast<V1Job>().ToList();
        Assert.Equal(Names, back.Select(j => j.Metadata.Annotations["cairn.dev/step-name"]));
        Assert.All(back, j => Assert.Equal(Names[25], j.Metadata.Annotations["cairn.dev/pipeline-name"]));
        Assert.All(back, j => Assert.Equal(Names[20], j.Metadata.Annotations["cairn.dev/run-id"]));
        Assert.Equal(jobs.Select(j => KubernetesJson.Serialize(j)), back.Select(j => KubernetesJson.Serialize(j)));
    }

    [Fact]
    public void JobName_SameStepInAnotherRunOrPipeline_IsAnotherName()
    {
        var names = new[]
        {
            KubernetesNames.JobName("p", "run1", "s"),
            KubernetesNames.JobName("p", "run2", "s"),
            KubernetesNames.JobName("q", "run1", "s"),
            KubernetesNames.JobName("p-s", "run1", ""),   // the same readable prefix, told apart by the hash
            KubernetesNames.JobName("p", "run1", "s"),
        };

        Assert.Equal(4, names.Distinct().Count());
        Assert.Equal(names[0], names[4]); // stable: a re-submitted run finds its Jobs again
    }

    [Fact]
    public void GenerateName_AnyPipelineName_LeavesRoomForTheServersSuffix()
    {
        foreach (var name in Names.Append("train_delay").Append("ok-name"))
        {
            var prefix = KubernetesNames.GenerateName(name);
            Assert.EndsWith("-", prefix);
            Assert.True(prefix.Length <= 58, prefix);
            Assert.Matches(KubernetesJobsTests.DnsLabel(), prefix + "abcde");
        }
        Assert.Equal("ok-name-", KubernetesNames.GenerateName("ok-name"));
        Assert.Equal("train-delay-", KubernetesNames.GenerateName("train_delay"));
        Assert.Equal("cairn-", KubernetesNames.GenerateName("名前"));
    }

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();
}
