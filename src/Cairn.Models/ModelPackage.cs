using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Models;

/// <summary>
/// A model package on disk: a folder with an <c>MLmodel</c> manifest, the flavors' files, an input
/// example, and <c>digests.json</c> with the BLAKE3 digest of every other file. Opening a package
/// verifies every digest, so a file changed after logging is refused by name.
/// </summary>
public sealed class ModelPackage
{
    /// <summary>The file listing the BLAKE3 digest of every other file in the package.</summary>
    public const string DigestsFile = "digests.json";

    /// <summary>The package's folder on disk.</summary>
    public string Folder { get; }
    /// <summary>The package's MLmodel manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The files digests.json lists (null for a package opened unverified, written without one).</summary>
    private readonly IReadOnlySet<string>? _sealed;

    private ModelPackage(string folder, ModelManifest manifest, IReadOnlySet<string>? sealedFiles)
    {
        Folder = folder;
        Manifest = manifest;
        _sealed = sealedFiles;
    }

    /// <summary>The local path of a package file given by its <c>/</c>-separated relative path (as the manifest names files).</summary>
    /// <exception cref="CairnException">The path leads out of the package's folder.</exception>
    public string PathOf(string relative) => Inside(Folder, relative);

    /// <summary>
    /// As <see cref="PathOf"/>, for a file a model is loaded from: in a verified package it must be
    /// one the digests cover, so a file added beside a sealed package is never what gets loaded.
    /// </summary>
    /// <exception cref="CairnException">The path leads out of the package, or the file is not sealed.</exception>
    public string SealedPathOf(string relative)
    {
        var path = PathOf(relative);
        if (_sealed is not null && !_sealed.Contains(relative))
            throw CairnException.InvalidState($"Model package file '{relative}' is not in its {DigestsFile}: it was added after the model was logged. Refusing to load it.");
        return path;
    }

    /// <summary>A relative path resolved under <paramref name="folder"/>, refused when it leads out (<c>../</c>, an absolute path).</summary>
    private static string Inside(string folder, string relative)
    {
        var root = Path.GetFullPath(folder);
        var path = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw CairnException.InvalidState($"Model package file '{relative}' is outside the package's folder. Refusing to use it.");
        return path;
    }

    /// <summary>Writes the manifest, then the digest list over every file in the folder.</summary>
    public static ModelPackage Seal(string folder, ModelManifest manifest)
    {
        File.WriteAllText(Path.Combine(folder, ModelManifest.FileName), manifest.ToString());
        var files = new JsonObject();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative == DigestsFile) continue;
            files[relative] = Digest(file);
        }
        var sealedFiles = files.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(folder, DigestsFile),
            new JsonObject { ["algorithm"] = "blake3", ["files"] = files }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ModelPackage(folder, manifest, sealedFiles);
    }

    /// <summary>Opens a package and verifies it; a package written by another tool without a digest list is opened unverified.</summary>
    /// <exception cref="CairnException">The folder has no MLmodel file, the manifest is invalid, the digest list is damaged, or a listed file is missing or changed.</exception>
    public static ModelPackage Open(string folder)
    {
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
            throw CairnException.InvalidParameter($"'{folder}' is not a model package: it has no {ModelManifest.FileName} file.");
        var digestsPath = Path.Combine(folder, DigestsFile);
        var sealedFiles = File.Exists(digestsPath) ? Verify(folder, digestsPath) : null;
        return new ModelPackage(folder, ModelManifest.Parse(File.ReadAllText(manifestPath)), sealedFiles);
    }

    private static HashSet<string> Verify(string folder, string digestsPath)
    {
        JsonNode? files;
        try
        {
            files = JsonNode.Parse(File.ReadAllText(digestsPath))?["files"];
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidState($"The model package's {DigestsFile} is damaged: {e.Message}");
        }
        if (files is not JsonObject listed) throw CairnException.InvalidState($"The model package's {DigestsFile} lists no files.");
        foreach (var (relative, expected) in listed)
        {
            var path = Inside(folder, relative);
            if (!File.Exists(path))
                throw CairnException.InvalidState($"Model package file '{relative}' is missing.");
            var actual = Digest(path);
            if (actual != expected?.GetValue<string>())
                throw CairnException.InvalidState(
                    $"Model package file '{relative}' does not match its recorded BLAKE3 digest (expected {expected}, found {actual}): it was changed after the model was logged. Refusing to load it.");
        }
        return listed.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The BLAKE3 digest of a file, as lowercase hex.</summary>
    public static string Digest(string path)
    {
        using var hasher = Blake3.Hasher.New();
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0) hasher.Update(buffer.AsSpan(0, read));
        return hasher.Finalize().ToString();
    }
}
