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

    private ModelPackage(string folder, ModelManifest manifest)
    {
        Folder = folder;
        Manifest = manifest;
    }

    /// <summary>The local path of a package file given by its <c>/</c>-separated relative path (as the manifest names files).</summary>
    public string PathOf(string relative) => Path.Combine(Folder, relative.Replace('/', Path.DirectorySeparatorChar));

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
        File.WriteAllText(Path.Combine(folder, DigestsFile),
            new JsonObject { ["algorithm"] = "blake3", ["files"] = files }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new ModelPackage(folder, manifest);
    }

    /// <summary>Opens a package and verifies it; a package written by another tool without a digest list is opened unverified.</summary>
    /// <exception cref="CairnException">The folder has no MLmodel file, the manifest is invalid, the digest list is damaged, or a listed file is missing or changed.</exception>
    public static ModelPackage Open(string folder)
    {
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
            throw CairnException.InvalidParameter($"'{folder}' is not a model package: it has no {ModelManifest.FileName} file.");
        var digestsPath = Path.Combine(folder, DigestsFile);
        if (File.Exists(digestsPath)) Verify(folder, digestsPath);
        return new ModelPackage(folder, ModelManifest.Parse(File.ReadAllText(manifestPath)));
    }

    private static void Verify(string folder, string digestsPath)
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
            var path = Path.Combine(folder, relative.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(path))
                throw CairnException.InvalidState($"Model package file '{relative}' is missing.");
            var actual = Digest(path);
            if (actual != expected?.GetValue<string>())
                throw CairnException.InvalidState(
                    $"Model package file '{relative}' does not match its recorded BLAKE3 digest (expected {expected}, found {actual}): it was changed after the model was logged. Refusing to load it.");
        }
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
