using Cairn.Artifacts;
using Cairn.Models.Signing;
using Cairn.Testing;

namespace Cairn.Models.Tests.Signing;

/// <summary>Small model packages (a data file, MLmodel, digests.json) registered for signing tests, and ways to tamper with them in the store.</summary>
internal static class SignedPackages
{
    /// <summary>Logs a sealed package with a random <c>weights.bin</c> and registers it as the next version of <paramref name="name"/>.</summary>
    public static async Task<string> RegisterAsync(CairnClient client, TempFolder temp, string name = "delay")
    {
        var folder = temp.File("package-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "weights.bin"), RandomBytes(4096));
        using var run = client.StartRun("signing");
        ModelPackage.Seal(folder, ModelManifest.Create("model", run.RunId, null));
        run.LogArtifacts(folder, "model");
        var version = await new ModelRegistry(client).RegisterAsync($"runs:/{run.RunId}/model", name);
        return $"models:/{name}/{version.Version}";
    }

    /// <summary>The store path of a file in the version's package.</summary>
    public static async Task<string> PathInPackageAsync(CairnClient client, string uri, string file) =>
        ArtifactPath.Combine((await new ModelRegistry(client).ResolveAsync(uri)).PackagePath, file);

    /// <summary>Flips one byte of a stored package file, as a tampered store would hold it.</summary>
    public static async Task FlipOneByteAsync(CairnClient client, string uri, string file)
    {
        var path = await PathInPackageAsync(client, uri, file);
        var bytes = await ReadAsync(client, path);
        bytes[bytes.Length / 2] ^= 0x01;
        await client.Artifacts.PutAsync(path, new MemoryStream(bytes));
    }

    public static async Task<byte[]> ReadAsync(CairnClient client, string path)
    {
        await using var stream = await client.Artifacts.OpenReadAsync(path);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public static async Task<VerifiedVersion> VerifyAsync(CairnClient client, TempFolder temp, string uri, params VerificationKey[] trusted) =>
        await new ModelSignatures(client).DownloadVerifiedAsync(uri, new TrustedKeys(trusted), temp.File("verify-" + Guid.NewGuid().ToString("N")));

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
