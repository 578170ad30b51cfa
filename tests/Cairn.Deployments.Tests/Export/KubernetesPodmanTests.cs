using Cairn.Deployments.Export;
using Cairn.Testing;
using k8s;
using k8s.Models;

namespace Cairn.Deployments.Tests.Export;

/// <summary>
/// A variant's Deployment, as exported, played by podman: the pod template (labels, port, environment,
/// resources) is one a container runtime starts. The model image is swapped for one built here FROM
/// scratch with this machine's /bin/sh and /bin/sleep, so nothing is pulled.
/// </summary>
public sealed class KubernetesPodmanTests
{
    [Fact]
    public async Task Export_DeploymentPlayedByPodman_RunsWithTheVariantsPortAndLabels()
    {
        Assert.True(File.Exists(Podman.Path), "podman is not installed (apt-get install podman runc); CI installs it.");
        using var folder = new TempFolder();
        var podman = Podman.ForTests(folder);
        var tag = $"localhost/cairn-export-{Guid.NewGuid():N}"[..38] + ":1";
        await podman.BuildFromScratchAsync(folder.File("image"), tag, ["/bin/sh", "/bin/sleep"]);

        var spec = new EndpointSpec($"podman-{Guid.NewGuid():N}"[..20], [new EndpointVariant("Blue_1", "models:/delay/3", 100)]);
        var file = Assert.Single(EndpointExport.Export(spec, "kubernetes", new ExportOptions(ContainerPort: 9123)));
        var deployment = KubernetesYaml.LoadAllFromString(file.Content).OfType<V1Deployment>().Single();
        var container = deployment.Spec.Template.Spec.Containers[0];
        Assert.Equal("localhost/cairn-model:delay-3", container.Image);
        container.Image = tag;
        container.Command = ["/bin/sh", "-c", "echo \"serving on port $SAGEMAKER_BIND_TO_PORT\"; exec /bin/sleep 600"];
        // podman turns an HTTP probe into a curl run inside the container, which neither this image nor the
        // model image has; a kubelet probes from outside. The probes are checked in KubernetesExportTests.
        container.ReadinessProbe = null;
        container.LivenessProbe = null;
        var manifest = folder.File("deployment.yaml");
        File.WriteAllText(manifest, KubernetesYaml.Serialize(deployment));

        try
        {
            // The default network: podman publishes the container port, which it refuses with --network none.
            var (played, playOutput) = await podman.RunAsync("kube", "play", "--replace", manifest);
            Assert.True(played == 0, playOutput);
            // podman names the pod {deployment}-pod, or {deployment}-pod-0 before 4.4; the endpoint label finds it either way.
            var (listed, pods) = await podman.RunAsync("pod", "ps", "--filter", $"label=cairn.dev/endpoint={spec.Name}", "--format", "{{.Name}}");
            Assert.True(listed == 0, pods);
            var pod = Assert.Single(pods.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith($"{deployment.Metadata.Name}-pod", pod);
            var containerName = $"{pod}-{container.Name}";

            var (inspected, state) = await podman.RunAsync("inspect", "--format", "{{.State.Status}}", containerName);
            Assert.True(inspected == 0, state);
            Assert.Equal("running", state.Trim());
            var logs = "";
            for (var i = 0; i < 50 && !logs.Contains("serving on port"); i++) // the first line may not be flushed to the log yet
            {
                (_, logs) = await podman.RunAsync("logs", containerName);
                if (!logs.Contains("serving on port")) await Task.Delay(100);
            }
            Assert.Contains("serving on port 9123", logs);

            var (_, labels) = await podman.RunAsync("pod", "inspect", "--format", "{{json .Labels}}", pod);
            Assert.Contains("\"cairn.dev/variant\":\"Blue_1\"", labels);
            Assert.Contains("\"cairn.dev/receives-traffic\":\"true\"", labels);
        }
        finally
        {
            await podman.RunAsync("kube", "down", manifest);
            await podman.RunAsync("rmi", "-f", tag);
        }
    }
}
