using System.Text.RegularExpressions;
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
public sealed partial class KubernetesPodmanTests
{
    [Fact]
    public async Task Export_DeploymentPlayedByPodman_RunsWithTheVariantsPortAndLabels()
    {
        Assert.True(File.Exists("/usr/bin/podman"), "podman is not installed (apt-get install podman runc); CI installs it.");
        using var folder = new TempFolder();
        var conf = folder.File("containers.conf");
        File.WriteAllText(conf, """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            """);
        var environment = new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf };
        var tag = $"localhost/cairn-export-{Guid.NewGuid():N}"[..38] + ":1";
        await BuildShellImage(folder.File("image"), tag, environment);

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
            var (played, playOutput) = await Podman(environment, "kube", "play", "--replace", manifest);
            Assert.True(played == 0, playOutput);
            // podman names the pod {deployment}-pod, or {deployment}-pod-0 before 4.4; the endpoint label finds it either way.
            var (listed, pods) = await Podman(environment, "pod", "ps", "--filter", $"label=cairn.dev/endpoint={spec.Name}", "--format", "{{.Name}}");
            Assert.True(listed == 0, pods);
            var pod = Assert.Single(pods.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith($"{deployment.Metadata.Name}-pod", pod);
            var containerName = $"{pod}-{container.Name}";

            var (inspected, state) = await Podman(environment, "inspect", "--format", "{{.State.Status}}", containerName);
            Assert.True(inspected == 0, state);
            Assert.Equal("running", state.Trim());
            var logs = "";
            for (var i = 0; i < 50 && !logs.Contains("serving on port"); i++) // the first line may not be flushed to the log yet
            {
                (_, logs) = await Podman(environment, "logs", containerName);
                if (!logs.Contains("serving on port")) await Task.Delay(100);
            }
            Assert.Contains("serving on port 9123", logs);

            var (_, labels) = await Podman(environment, "pod", "inspect", "--format", "{{json .Labels}}", pod);
            Assert.Contains("\"cairn.dev/variant\":\"Blue_1\"", labels);
            Assert.Contains("\"cairn.dev/receives-traffic\":\"true\"", labels);
        }
        finally
        {
            await Podman(environment, "kube", "down", manifest);
            await Podman(environment, "rmi", "-f", tag);
        }
    }

    /// <summary>An image FROM scratch holding /bin/sh, /bin/sleep and the shared libraries they link, found with ldd.</summary>
    private static async Task BuildShellImage(string context, string tag, Dictionary<string, string> environment)
    {
        var rootfs = Path.Combine(context, "rootfs");
        foreach (var program in new[] { "/bin/sh", "/bin/sleep" })
        {
            var real = new FileInfo(program).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? program;
            Copy(real, Path.Combine(rootfs, program.TrimStart('/')));
            var (ldd, libraries) = await Run("ldd", [real], null);
            Assert.True(ldd == 0, libraries);
            foreach (Match library in LibraryPath().Matches(libraries))
            {
                var path = library.Groups[1].Value;
                Copy(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path, Path.Combine(rootfs, path.TrimStart('/')));
            }
        }
        File.WriteAllText(Path.Combine(context, "Containerfile"), "FROM scratch\nCOPY rootfs/ /\n");
        var (built, output) = await Podman(environment, "build", "-t", tag, context);
        Assert.True(built == 0, output);
    }

    private static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
    }

    private static Task<(int Exit, string Output)> Podman(Dictionary<string, string> environment, params string[] args) => Run("podman", args, environment);

    private static async Task<(int Exit, string Output)> Run(string program, string[] args, Dictionary<string, string>? environment)
    {
        using var process = ChildProcess.Start(program, args, environment);
        var exit = await process.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, process.StandardOutput + process.StandardError);
    }

    [GeneratedRegex(@"(?:=>\s*)?(/[^\s]+)\s+\(0x", RegexOptions.Multiline)]
    private static partial Regex LibraryPath();
}
