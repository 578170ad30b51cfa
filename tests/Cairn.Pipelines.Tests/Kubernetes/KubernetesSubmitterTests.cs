using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Cairn.Pipelines.Kubernetes;
using Cairn.Testing;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>The submitter with the real KubernetesClient, against <see cref="FakeKubernetesApi"/> over a socket.</summary>
public sealed class KubernetesSubmitterTests : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);
    private readonly TempFolder _folder = new();
    private FakeKubernetesApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeKubernetesApi.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _folder.Dispose();
    }

    private KubernetesSubmitter Submitter(string? context = null, string? @namespace = null)
    {
        var path = _folder.File("kubeconfig");
        File.WriteAllText(path, _api.Kubeconfig());
        return KubernetesSubmitter.FromKubeconfig(path, context, @namespace, pollInterval: Poll);
    }

    [Fact]
    public async Task RunAsync_Diamond_CreatesEachJobOnceItsDependenciesSucceeded()
    {
        using var submitter = Submitter();
        var changes = new List<KubernetesStepStatus>();

        var result = await submitter.RunAsync(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image, changes.Add);

        Assert.True(result.Succeeded, string.Join("; ", result.Steps));
        Assert.Equal(["prepare", "train", "evaluate", "register"], result.Steps.Select(s => s.Step));
        var events = _api.Events;
        foreach (var step in SampleSteps.Diamond())
        {
            var created = events.ToList().IndexOf("create:" + step.Name);
            Assert.True(created >= 0, $"{step.Name} was never created: {string.Join(", ", events)}");
            foreach (var dependency in step.DependsOn)
                Assert.True(events.ToList().IndexOf("succeeded:" + dependency) is var done && done >= 0 && done < created,
                    $"{step.Name} was created before {dependency} succeeded: {string.Join(", ", events)}");
        }
        // Independent branches run side by side: evaluate is created before train has finished.
        Assert.True(events.ToList().IndexOf("create:evaluate") < events.ToList().IndexOf("succeeded:train"), string.Join(", ", events));
        Assert.All(SampleSteps.Diamond(), s => Assert.Equal(
            [KubernetesStepState.Running, KubernetesStepState.Succeeded], changes.Where(c => c.Step == s.Name).Select(c => c.State)));
        Assert.DoesNotContain(_api.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task RunAsync_Requests_AreAuthenticatedValidJobsInTheContextsNamespace()
    {
        using var submitter = Submitter();

        await submitter.RunAsync(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image);

        var requests = _api.Requests;
        Assert.All(requests, r => Assert.Equal("Bearer test-token", r.Authorization));
        Assert.All(requests, r => Assert.StartsWith("/apis/batch/v1/namespaces/pipelines/jobs", r.Path));
        var creates = requests.Where(r => r.Method == "POST").ToList();
        var expected = KubernetesJobs.BuildAll(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image);
        Assert.Equal(expected.Count, creates.Count);
        foreach (var (create, job) in creates.Zip(expected))
        {
            Assert.StartsWith("application/json", create.ContentType);
            using var json = JsonDocument.Parse(create.Body);
            var root = json.RootElement;
            Assert.Equal("batch/v1", root.GetProperty("apiVersion").GetString());
            Assert.Equal("Job", root.GetProperty("kind").GetString());
            Assert.Equal(job.Metadata.Name, root.GetProperty("metadata").GetProperty("name").GetString());
            Assert.Equal("cairn", root.GetProperty("metadata").GetProperty("labels").GetProperty("app.kubernetes.io/managed-by").GetString());
            var spec = root.GetProperty("spec");
            Assert.Equal(JsonValueKind.Number, spec.GetProperty("backoffLimit").ValueKind);
            Assert.Equal(job.Spec.BackoffLimit, spec.GetProperty("backoffLimit").GetInt32());
            Assert.Equal(86400, spec.GetProperty("ttlSecondsAfterFinished").GetInt32());
            var pod = spec.GetProperty("template").GetProperty("spec");
            Assert.Equal("Never", pod.GetProperty("restartPolicy").GetString());
            var container = pod.GetProperty("containers")[0];
            Assert.Equal(job.Spec.Template.Spec.Containers[0].Command, container.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
            Assert.Equal(["CAIRN_STEP", "CAIRN_TRACKING_URI"], container.GetProperty("env").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
            if (job.Spec.Template.Spec.Containers[0].Resources is not null)
            {
                var limits = container.GetProperty("resources").GetProperty("limits");
                Assert.Equal("2147483648", limits.GetProperty("memory").GetString()); // quantities travel as strings
                Assert.Equal("1500m", limits.GetProperty("cpu").GetString());
                Assert.Equal(600, pod.GetProperty("activeDeadlineSeconds").GetInt64());
            }
            // The body is the Job that was built, nothing more and nothing less.
            Assert.Equal(KubernetesJson.Serialize(job), KubernetesJson.Serialize(KubernetesJson.Deserialize<V1Job>(create.Body)));
        }
    }

    [Fact]
    public async Task RunAsync_NamespaceGiven_WinsOverTheContexts()
    {
        using var submitter = Submitter(context: "elsewhere", @namespace: "team-a");

        await submitter.RunAsync("p", "r", [SampleSteps.Step("only")], "img");

        Assert.Equal("team-a", submitter.Namespace);
        Assert.All(_api.Requests, r => Assert.StartsWith("/apis/batch/v1/namespaces/team-a/jobs", r.Path));
    }

    [Fact]
    public async Task RunAsync_StepFails_DeletesWhatRunsAndSkipsWhatWaits()
    {
        _api.Outcomes = (step, reads) => step switch
        {
            "flaky" => reads >= 2 ? FakeKubernetesApi.Outcome.Failed : FakeKubernetesApi.Outcome.Running,
            "slow" => FakeKubernetesApi.Outcome.Running,
            _ => FakeKubernetesApi.Outcome.Complete,
        };
        using var submitter = Submitter();
        StepJob[] steps = [SampleSteps.Step("flaky"), SampleSteps.Step("slow"), SampleSteps.Step("after", "flaky")];

        var result = await submitter.RunAsync("p", "r", steps, "img");

        Assert.False(result.Succeeded);
        var byStep = result.Steps.ToDictionary(s => s.Step);
        Assert.Equal(KubernetesStepState.Failed, byStep["flaky"].State);
        Assert.Contains("BackoffLimitExceeded", byStep["flaky"].Message);
        Assert.Equal(KubernetesStepState.Cancelled, byStep["slow"].State);
        Assert.Equal(KubernetesStepState.Skipped, byStep["after"].State);
        Assert.Contains("flaky did not succeed", byStep["after"].Message);
        var delete = Assert.Single(_api.Requests, r => r.Method == "DELETE");
        Assert.EndsWith("/jobs/" + byStep["slow"].JobName, delete.Path);
        Assert.Contains("propagationPolicy=Background", delete.Query);
        Assert.DoesNotContain("create:after", _api.Events);
        Assert.DoesNotContain(byStep["slow"].JobName, _api.StoredJobNames);
    }

    [Fact]
    public async Task RunAsync_Cancelled_DeletesTheRunningJobAndThrows()
    {
        _api.Outcomes = (_, _) => FakeKubernetesApi.Outcome.Running;
        using var cancel = new CancellationTokenSource();
        _api.OnStatusRead = _ => cancel.Cancel();
        using var submitter = Submitter();
        var changes = new List<KubernetesStepStatus>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            submitter.RunAsync("p", "r", [SampleSteps.Step("long"), SampleSteps.Step("next", "long")], "img", changes.Add, cancel.Token));

        Assert.Equal(["create:long", "delete:long"], _api.Events);
        Assert.Equal(KubernetesStepState.Cancelled, changes.Last(c => c.Step == "long").State);
        Assert.Empty(_api.StoredJobNames);
    }

    [Fact]
    public async Task RunAsync_JobsOfThisRunExist_PicksThemUpInsteadOfFailing()
    {
        var prepare = KubernetesJobs.Build(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond().Single(s => s.Name == "prepare"), SampleSteps.Image);
        _api.Seed(prepare, FakeKubernetesApi.Outcome.Complete);
        using var submitter = Submitter();

        var result = await submitter.RunAsync(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image);

        Assert.True(result.Succeeded, string.Join("; ", result.Steps));
        Assert.Contains(_api.Requests, r => r.Method == "GET" && r.Path.EndsWith("/jobs/" + prepare.Metadata.Name));
        Assert.Equal(4, _api.StoredJobNames.Count);
    }

    [Fact]
    public async Task RunAsync_NameTakenBySomethingElse_IsRefused()
    {
        var impostor = KubernetesJobs.Build("p", "r", SampleSteps.Step("a"), "img");
        impostor.Metadata.Annotations[KubernetesJobs.StepNameAnnotation] = "someone-else";
        _api.Seed(impostor, FakeKubernetesApi.Outcome.Running);
        using var submitter = Submitter();

        var error = await Assert.ThrowsAsync<CairnException>(() => submitter.RunAsync("p", "r", [SampleSteps.Step("a")], "img"));

        Assert.Equal(ErrorCodes.ResourceAlreadyExists, error.ErrorCode);
        Assert.Contains("was not made for this step", error.Message);
        Assert.DoesNotContain(_api.Requests, r => r.Method == "DELETE"); // not ours to delete
    }

    [Fact]
    public async Task RunAsync_ApiForbidsACreate_SaysSoInOneLineAndStopsWhatRuns()
    {
        _api.Outcomes = (step, reads) => step == "prepare" ? FakeKubernetesApi.Outcome.Complete : FakeKubernetesApi.Outcome.Running;
        _api.ForbiddenSteps.Add("evaluate");
        using var submitter = Submitter();

        var error = await Assert.ThrowsAsync<CairnException>(() =>
            submitter.RunAsync(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image));

        Assert.Equal(ErrorCodes.PermissionDenied, error.ErrorCode);
        Assert.Contains("(403)", error.Message);
        Assert.Contains("cannot create resource", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("delete:train", _api.Events); // train had started beside evaluate: it is not left running
    }

    [Fact]
    public async Task RunAsync_ApiUnreachable_SaysWhere()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var path = _folder.File("closed");
        File.WriteAllText(path, _api.Kubeconfig().Replace(_api.BaseUri.ToString().TrimEnd('/'), $"http://127.0.0.1:{port}"));
        using var submitter = KubernetesSubmitter.FromKubeconfig(path, pollInterval: Poll);

        var error = await Assert.ThrowsAsync<CairnException>(() => submitter.RunAsync("p", "r", [SampleSteps.Step("a")], "img"));

        Assert.Equal(ErrorCodes.TemporarilyUnavailable, error.ErrorCode);
        Assert.Contains($"Cannot reach the Kubernetes API at http://127.0.0.1:{port}", error.Message);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("garbage", "Cannot use the kubeconfig")]
    [InlineData("unknown context", "Cannot use the kubeconfig")]
    [InlineData("bad namespace", "is not a Kubernetes namespace name")]
    public void FromKubeconfig_Unusable_IsRefusedWithOneLine(string what, string expected)
    {
        var path = _folder.File("config");
        if (what != "missing") File.WriteAllText(path, what == "garbage" ? "clusters: [this is: not: a kubeconfig" : _api.Kubeconfig());

        var error = Assert.Throws<CairnException>(() => KubernetesSubmitter.FromKubeconfig(path,
            context: what == "unknown context" ? "nowhere" : null, @namespace: what == "bad namespace" ? "Bad_Namespace" : null));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
