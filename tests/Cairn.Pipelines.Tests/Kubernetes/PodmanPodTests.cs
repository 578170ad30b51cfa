using System.Text.Json;
using Cairn.Pipelines.Kubernetes;
using Cairn.Testing;
using k8s;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>
/// A step's Pod, as its Job would start it, played by podman: the YAML Cairn writes is what a
/// container runtime runs. The image is built here FROM scratch with this machine's /bin/sh and the
/// libraries it links, so nothing is pulled.
/// </summary>
public sealed class PodmanPodTests
{
    [Fact]
    public async Task PodFor_PlayedByPodman_RunsTheStepsCommandWithItsEnvironmentAndFolder()
    {
        Assert.True(File.Exists(Podman.Path), "podman is not installed (apt-get install podman runc); CI installs it.");
        using var folder = new TempFolder();
        // The runtime flags the serving tests use, in the form kube play takes: runc, and ulimits a nested container may set.
        var podman = Podman.ForTests(folder);
        var tag = $"localhost/cairn-step-{Guid.NewGuid():N}"[..36] + ":1";
        await podman.BuildFromScratchAsync(folder.File("image"), tag, ["/bin/sh"], ["/work/step"]);

        var step = new StepJob(
            "Say hello!",
            ["/bin/sh", "-c", "echo \"greeting=$GREETING cwd=$(pwd)\"; printf '%s|' \"$@\"; echo; exit 7", "sh", "two words", "$(id)", "*"],
            new Dictionary<string, string> { ["GREETING"] = "hello from cairn" },
            "/work/step",
            tag,
            new StepResources(Cpus: 0.5, MemoryBytes: 64L * 1024 * 1024),
            TimeSpan.FromMinutes(5),
            0,
            []);
        var job = KubernetesJobs.Build("podman_test", Guid.NewGuid().ToString("N"), step, null);
        var pod = KubernetesJobs.PodFor(job);
        var manifest = folder.File("pod.yaml");
        File.WriteAllText(manifest, KubernetesYaml.Serialize(pod));
        var container = $"{pod.Metadata.Name}-{KubernetesJobs.ContainerName}";

        try
        {
            var (played, playOutput) = await podman.RunAsync("kube", "play", "--replace", "--network", "none", manifest);
            Assert.True(played == 0, playOutput);

            var (waited, exitCode) = await podman.RunAsync("wait", container);
            Assert.True(waited == 0, exitCode);
            Assert.Equal("7", exitCode.Trim());
            var (_, logs) = await podman.RunAsync("logs", container);
            Assert.Contains("greeting=hello from cairn cwd=/work/step", logs);
            Assert.Contains("two words|$(id)|*|", logs); // each argument arrived as given: no shell in between
            var (inspected, podJson) = await podman.RunAsync("pod", "inspect", pod.Metadata.Name);
            Assert.True(inspected == 0, podJson);
            using var document = JsonDocument.Parse(podJson);
            var root = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0] : document.RootElement;
            var labels = root.GetProperty("Labels");
            Assert.Equal("cairn", labels.GetProperty("app.kubernetes.io/managed-by").GetString());
            Assert.Equal(job.Metadata.Labels["cairn.dev/step"], labels.GetProperty("cairn.dev/step").GetString());
        }
        finally
        {
            await podman.RunAsync("kube", "down", manifest);
            await podman.RunAsync("rmi", "-f", tag);
        }
    }
}
