using Cairn.Artifacts;
using Cairn.Models;

namespace Cairn.Cli.Tests;

/// <summary>`cairn models keygen|sign|verify` and `cairn serve --require-signature` on an embedded store.</summary>
public class ModelSigningCliTests : CliRunner
{
    /// <summary>Logs a sealed package (a random data file and MLmodel) and registers it as delay version 1.</summary>
    private async Task<string> RegisterPackageAsync()
    {
        var package = Folder.File("package");
        Directory.CreateDirectory(package);
        await File.WriteAllBytesAsync(Path.Combine(package, "weights.bin"), Enumerable.Range(0, 2048).Select(i => (byte)(i * 7)).ToArray());
        using var cairn = CairnClient.Open(Store);
        using var run = cairn.StartRun("signing");
        ModelPackage.Seal(package, ModelManifest.Create("model", run.RunId, null));
        run.LogArtifacts(package, "model");
        var register = await Cairn("models", "register", $"runs:/{run.RunId}/model", "--name", "delay");
        Assert.Equal(0, register.Exit);
        return "models:/delay/1";
    }

    private async Task FlipOneByteAsync(string uri, string file)
    {
        using var cairn = CairnClient.Open(Store);
        var path = ArtifactPath.Combine((await new ModelRegistry(cairn).ResolveAsync(uri)).PackagePath, file);
        using var buffer = new MemoryStream();
        await using (var stream = await cairn.Artifacts.OpenReadAsync(path)) await stream.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        bytes[100] ^= 0x01;
        await cairn.Artifacts.PutAsync(path, new MemoryStream(bytes));
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("ecdsa-p256")]
    public async Task KeygenSignVerify_Accepts_ThenAFlippedByteIsRefusedByName(string algorithm)
    {
        var uri = await RegisterPackageAsync();

        var keygen = await Cairn("models", "keygen", "--algorithm", algorithm, "--out", Folder.File("key.pem"));
        var sign = await Cairn("models", "sign", uri, "--key", Folder.File("key.pem"));
        var verify = await Cairn("models", "verify", uri, "--trusted-keys", Folder.File("key.pub.pem"));
        await FlipOneByteAsync(uri, "weights.bin");
        var tampered = await Cairn("models", "verify", uri, "--trusted-keys", Folder.File("key.pub.pem"));

        Assert.True(keygen.Exit == 0, keygen.Err);
        Assert.True(sign.Exit == 0, sign.Err);
        Assert.Contains("Signed models:/delay/1", sign.Out);
        Assert.True(verify.Exit == 0, verify.Err);
        Assert.Contains("signed by trusted key", verify.Out);
        Assert.NotEqual(0, tampered.Exit);
        Assert.Contains("'weights.bin'", tampered.Err);
        Assert.DoesNotContain("   at ", tampered.Err);
    }

    [Fact]
    public async Task Verify_SignedByAKeyNotInTheTrustedFolder_IsRefused()
    {
        var uri = await RegisterPackageAsync();
        await Cairn("models", "keygen", "--out", Folder.File("signer.pem"));
        Directory.CreateDirectory(Folder.File("trusted"));
        await Cairn("models", "keygen", "--out", Folder.File("trusted/other.pem"));
        File.Delete(Folder.File("trusted/other.pem")); // a folder of public keys only
        await Cairn("models", "sign", uri, "--key", Folder.File("signer.pem"));

        var (exit, _, err) = await Cairn("models", "verify", uri, "--trusted-keys", Folder.File("trusted"));

        Assert.Equal(2, exit);
        Assert.Contains("signed only by keys that are not trusted", err);
    }

    [Fact]
    public async Task Serve_RequireSignature_UnsignedVersion_RefusesToStart()
    {
        var uri = await RegisterPackageAsync();
        await Cairn("models", "keygen", "--out", Folder.File("key.pem"));

        var (exit, output, err) = await Cairn("serve", uri, "--port", "0", "--inference-log", "none", "--require-signature", "--trusted-keys", Folder.File("key.pub.pem"));

        Assert.Equal(2, exit);
        Assert.Contains("models:/delay/1 is unsigned", err);
        Assert.DoesNotContain("Serving", output);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Serve_RequireSignature_TamperedVersion_RefusesToStartNamingTheFile()
    {
        var uri = await RegisterPackageAsync();
        await Cairn("models", "keygen", "--out", Folder.File("key.pem"));
        await Cairn("models", "sign", uri, "--key", Folder.File("key.pem"));
        await FlipOneByteAsync(uri, "weights.bin");

        var (exit, _, err) = await Cairn("serve", uri, "--port", "0", "--inference-log", "none", "--require-signature", "--trusted-keys", Folder.File("key.pub.pem"));

        Assert.Equal(2, exit);
        Assert.Contains("'weights.bin'", err);
    }

    [Theory]
    [InlineData("--require-signature")]
    [InlineData("--trusted-keys")]
    public async Task Serve_OneSignatureOptionWithoutTheOther_IsAClearError(string option)
    {
        string[] extra = option == "--require-signature" ? [option] : [option, Folder.File("keys")];
        var (exit, _, err) = await Cairn(["serve", "models:/delay/1", "--port", "0", "--inference-log", "none", .. extra]);

        Assert.Equal(2, exit);
        Assert.Contains(option == "--require-signature" ? "needs --trusted-keys" : "is used with --require-signature", err);
    }

    [Fact]
    public async Task Sign_WithAKeyFileThatIsNotPem_IsAClearError()
    {
        var uri = await RegisterPackageAsync();
        await File.WriteAllTextAsync(Folder.File("key.pem"), "ssh-ed25519 AAAA... not a pem");

        var (exit, _, err) = await Cairn("models", "sign", uri, "--key", Folder.File("key.pem"));

        Assert.Equal(2, exit);
        Assert.Contains("is not a PEM key file", err);
    }

    [Fact]
    public async Task Keygen_AnUnknownAlgorithm_IsRefused()
    {
        var (exit, _, _) = await Cairn("models", "keygen", "--algorithm", "rsa", "--out", Folder.File("key.pem"));
        Assert.NotEqual(0, exit);
        Assert.False(File.Exists(Folder.File("key.pem")));
    }

    [Fact]
    public async Task Alias_SignedOnlyAlias_RefusesAnUnsignedVersion()
    {
        await RegisterPackageAsync();
        await Cairn("models", "tag", "delay", "cairn.require_signature.champion", "true");

        var (exit, _, err) = await Cairn("models", "alias", "delay", "champion", "1");

        Assert.Equal(2, exit);
        Assert.Contains("accepts only signed versions", err);
    }
}
