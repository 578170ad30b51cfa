using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Cairn.Cli.Packaging;

/// <summary>
/// Writes a container build context that serves one model: the model package, this cairn build,
/// the .NET runtime it runs on, and the shared libraries they link (found with ldd), under a
/// Containerfile <c>FROM scratch</c>. No base image is pulled, so images build where no registry
/// is reachable, and they hold exactly what the server needs.
/// </summary>
public static partial class ImageContext
{
    public const string DotnetRoot = "/usr/share/dotnet";

    /// <summary>Fills <paramref name="context"/>; <paramref name="packageFolder"/> is the verified model package.</summary>
    public static void Write(string context, string packageFolder, string modelName, string version)
    {
        var rootfs = Path.Combine(context, "rootfs");
        if (Directory.Exists(rootfs)) Directory.Delete(rootfs, recursive: true);
        CopyTree(packageFolder, Path.Combine(rootfs, "model"));
        CopyTree(AppContext.BaseDirectory.TrimEnd('/'), Path.Combine(rootfs, "app"));

        // The runtime this process runs on: the dotnet host, hostfxr and the shared frameworks.
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/');           // .../shared/Microsoft.NETCore.App/10.0.x
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var target = Path.Combine(rootfs, DotnetRoot.TrimStart('/'));
        CopyFile(Path.Combine(dotnetRoot, "dotnet"), Path.Combine(target, "dotnet"));
        CopyTree(Path.Combine(dotnetRoot, "host"), Path.Combine(target, "host"));
        var runtimeVersion = Path.GetFileName(runtimeDir);
        foreach (var framework in new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" })
        {
            var source = Path.Combine(dotnetRoot, "shared", framework, runtimeVersion);
            if (Directory.Exists(source)) CopyTree(source, Path.Combine(target, "shared", framework, runtimeVersion));
        }

        // The shared libraries all of that links, at the same paths as on this machine.
        var elf = Directory.EnumerateFiles(rootfs, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".so", StringComparison.Ordinal) || Path.GetFileName(f) == "dotnet").ToList();
        var libraries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in elf) foreach (var library in Ldd(file)) libraries.Add(library);
        foreach (var library in libraries) CopyLibrary(library, rootfs);
        Directory.CreateDirectory(Path.Combine(rootfs, "tmp"));

        File.WriteAllText(Path.Combine(context, "Containerfile"), $"""
            # Serves {modelName} version {version} with `cairn serve`. Built by `cairn models build-image`.
            FROM scratch
            COPY rootfs/ /
            ENV DOTNET_ROOT={DotnetRoot} DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 TMPDIR=/tmp HOME=/tmp
            EXPOSE 8080
            # Any Host header: SageMaker, Vertex AI, Azure ML or a Kubernetes Service reach the container by names it cannot know.
            # SageMaker runs `docker run IMAGE serve`: `cairn serve` takes that trailing word, so the image starts either way.
            ENTRYPOINT ["{DotnetRoot}/dotnet", "/app/cairn.dll", "serve", "/model", "--host", "0.0.0.0", "--allowed-hosts", "*", "--name", "{modelName}", "--version", "{version}", "--inference-log", "/tmp/inference-log"]
            """);
    }

    private static IEnumerable<string> Ldd(string file)
    {
        var info = new ProcessStartInfo("ldd", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        foreach (Match match in LibraryPath().Matches(output)) yield return match.Groups[1].Value;
    }

    /// <summary>Copies a library and the chain of symbolic links that leads to it.</summary>
    private static void CopyLibrary(string path, string rootfs)
    {
        var destination = Path.Combine(rootfs, path.TrimStart('/'));
        if (File.Exists(destination)) return;
        var real = Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path);
        CopyFile(real, destination);
    }

    private static void CopyTree(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            CopyFile(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
    }

    private static void CopyFile(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(source, destination, overwrite: true);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
    }

    [GeneratedRegex(@"(?:=>\s*)?(/[^\s]+)\s+\(0x", RegexOptions.Multiline)]
    private static partial Regex LibraryPath();
}
