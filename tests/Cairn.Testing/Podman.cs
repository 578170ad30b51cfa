using System.Text.RegularExpressions;

namespace Cairn.Testing;

/// <summary>
/// podman as the tests run it: runc and the ulimits a nested container may set (in a
/// containers.conf of the test's own), and images built FROM scratch with programs of this
/// machine and the libraries they link, so nothing is pulled.
/// </summary>
public sealed partial class Podman
{
    public const string Path = "/usr/bin/podman";

    private Podman(IReadOnlyDictionary<string, string> environment) => Environment = environment;

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Writes the containers.conf into <paramref name="folder"/> and returns a podman that uses it.</summary>
    public static Podman ForTests(TempFolder folder)
    {
        var conf = folder.File("containers.conf");
        File.WriteAllText(conf, """
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            """);
        return new Podman(new Dictionary<string, string> { ["CONTAINERS_CONF"] = conf });
    }

    public Task<(int Exit, string Output)> RunAsync(params string[] args) => Run("podman", args, Environment);

    /// <summary>Builds <paramref name="tag"/> FROM scratch holding <paramref name="programs"/>, the libraries they link (found with ldd), and empty <paramref name="folders"/>.</summary>
    /// <exception cref="InvalidOperationException">ldd or the build failed; the message has their output.</exception>
    public async Task BuildFromScratchAsync(string context, string tag, IEnumerable<string> programs, IEnumerable<string>? folders = null)
    {
        var rootfs = System.IO.Path.Combine(context, "rootfs");
        foreach (var program in programs)
        {
            var real = new FileInfo(program).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? program;
            Copy(real, System.IO.Path.Combine(rootfs, program.TrimStart('/')));
            var (ldd, libraries) = await Run("ldd", [real], null);
            if (ldd != 0) throw new InvalidOperationException($"ldd {real} failed: {libraries}");
            foreach (Match library in LibraryPath().Matches(libraries))
            {
                var path = library.Groups[1].Value;
                Copy(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path, System.IO.Path.Combine(rootfs, path.TrimStart('/')));
            }
        }
        // podman, unlike a kubelet's runtime, will not create a missing working directory.
        foreach (var folder in folders ?? []) Directory.CreateDirectory(System.IO.Path.Combine(rootfs, folder.TrimStart('/')));
        File.WriteAllText(System.IO.Path.Combine(context, "Containerfile"), "FROM scratch\nCOPY rootfs/ /\n");
        var (built, output) = await RunAsync("build", "-t", tag, context);
        if (built != 0) throw new InvalidOperationException($"podman build failed: {output}");
    }

    private static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
    }

    private static async Task<(int Exit, string Output)> Run(string program, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        using var process = ChildProcess.Start(program, args, environment?.ToDictionary());
        var exit = await process.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, process.StandardOutput + process.StandardError);
    }

    [GeneratedRegex(@"(?:=>\s*)?(/[^\s]+)\s+\(0x", RegexOptions.Multiline)]
    private static partial Regex LibraryPath();
}
