using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Pipelines.Kubernetes;
using Cairn.Testing;
using k8s;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>
/// A step's Pod, as its Job would start it, played by podman: the YAML Cairn writes is what a
/// container runtime runs. The image is built here FROM scratch with this machine's /bin/sh and the
/// libraries it links, so nothing is pulled.
/// </summary>
public sealed partial class PodmanPodTests
{
    [Fact]
    public async Task PodFor_PlayedByPodman_RunsTheStepsCommandWithItsEnvironmentAndFolder()
    {
        Assert.True(File.Exists("/usr/bin/podman"), "podman is not installed (apt-get install podman runc); CI installs it.");
        using var folder = new TempFolder();
        // The runtime flags the serving tests use, in the form kube play takes: runc, and ulimits a nested container may set.
        var conf = folder.File("containers.conf");
        File.WriteAllText(conf, """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            """);
        var environment = new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf };
        var tag = $"localhost/cairn-step-{Guid.NewGuid():N}"[..36] + ":1";
        await BuildShellImage(folder.File("image"), tag, environment);

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
            var (played, playOutput) = await Podman(environment, "kube", "play", "--replace", "--network", "none", manifest);
            Assert.True(played == 0, playOutput);

            var (waited, exitCode) = await Podman(environment, "wait", container);
            Assert.True(waited == 0, exitCode);
            Assert.Equal("7", exitCode.Trim());
            var (_, logs) = await Podman(environment, "logs", container);
            Assert.Contains("greeting=hello from cairn cwd=/work/step", logs);
            Assert.Contains("two words|$(id)|*|", logs); // each argument arrived as given: no shell in between
            var (inspected, podJson) = await Podman(environment, "pod", "inspect", pod.Metadata.Name);
            Assert.True(inspected == 0, podJson);
            using var document = JsonDocument.Parse(podJson);
            var root = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement[0] : document.RootElement;
            var labels = root.GetProperty("Labels");
            Assert.Equal("cairn", labels.GetProperty("app.kubernetes.io/managed-by").GetString());
            Assert.Equal(job.Metadata.Labels["cairn.dev/step"], labels.GetProperty("cairn.dev/step").GetString());
        }
        finally
        {
            await Podman(environment, "kube", "down", manifest);
            await Podman(environment, "rmi", "-f", tag);
        }
    }

    /// <summary>An image FROM scratch holding /bin/sh and the shared libraries it links, found with ldd.</summary>
    private static async Task BuildShellImage(string context, string tag, Dictionary<string, string> environment)
    {
        var rootfs = Path.Combine(context, "rootfs");
        var shell = new FileInfo("/bin/sh").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/bin/sh";
        Copy(shell, Path.Combine(rootfs, "bin", "sh"));
        var (ldd, libraries) = await Run("ldd", [shell], null);
        Assert.True(ldd == 0, libraries);
        foreach (Match library in LibraryPath().Matches(libraries))
        {
            var path = library.Groups[1].Value;
            Copy(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path, Path.Combine(rootfs, path.TrimStart('/')));
        }
        // podman, unlike a kubelet's runtime, will not create a missing working directory.
        Directory.CreateDirectory(Path.Combine(rootfs, "work", "step"));
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
