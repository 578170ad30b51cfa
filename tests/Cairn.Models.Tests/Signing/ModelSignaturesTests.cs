using System.Text;
using System.Text.Json.Nodes;
using Cairn.Models.Signing;
using Cairn.Registry;
using Cairn.Testing;

namespace Cairn.Models.Tests.Signing;

/// <summary>Signing registered versions and verifying them on an embedded store and against a real server.</summary>
public class ModelSignaturesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private CairnClient Open() => CairnClient.Open(_folder.File("store"));

    [Theory]
    [InlineData(SigningAlgorithms.Ed25519)]
    [InlineData(SigningAlgorithms.EcdsaP256)]
    public async Task Sign_ThenVerifyWithTheTrustedKey_AcceptsAndTagsTheVersion(string algorithm)
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(algorithm);

        var signed = await new ModelSignatures(client).SignAsync(uri, key);
        var verified = await SignedPackages.VerifyAsync(client, _folder, uri, key.PublicKey);
        var version = await client.Registry.GetModelVersionAsync("delay", "1");

        Assert.Equal(key.KeyId, signed.KeyId);
        Assert.Equal(key.KeyId, verified.KeyId);
        Assert.Equal(key.KeyId, version.Tags.Single(t => t.Key == SignaturePolicy.SignedByTag).Value);
        Assert.Equal("model", verified.Package.Manifest.ArtifactPath);
    }

    [Fact]
    public async Task Verify_OneByteOfAModelFileFlipped_IsRefusedNamingTheFile()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.Ed25519);
        await new ModelSignatures(client).SignAsync(uri, key);

        await SignedPackages.FlipOneByteAsync(client, uri, "weights.bin");
        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, key.PublicKey));

        Assert.Contains("'weights.bin'", error.Message);
        Assert.Contains("changed after the model was logged", error.Message);
    }

    [Fact]
    public async Task Verify_DigestsRewrittenToMatchAChangedFile_SignatureNoLongerCoversThePackage()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.EcdsaP256);
        await new ModelSignatures(client).SignAsync(uri, key);

        // The careful attacker: change the file and record its new digest, so the digests alone pass.
        await SignedPackages.FlipOneByteAsync(client, uri, "weights.bin");
        var local = _folder.File("rewrite");
        await new ModelRegistry(client).DownloadPackageAsync((await new ModelRegistry(client).ResolveAsync(uri)).PackagePath, local);
        var digests = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(local, ModelPackage.DigestsFile)))!;
        digests["files"]!["weights.bin"] = ModelPackage.Digest(Path.Combine(local, "weights.bin"));
        await client.Artifacts.PutAsync(await SignedPackages.PathInPackageAsync(client, uri, ModelPackage.DigestsFile), new MemoryStream(Encoding.UTF8.GetBytes(digests.ToJsonString())));

        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, key.PublicKey));

        Assert.Contains("does not match its signature", error.Message);
        Assert.Contains(key.KeyId, error.Message);
    }

    [Fact]
    public async Task Verify_SignedByAnotherKey_IsRefusedAsUntrusted()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var signer = SigningKey.Generate(SigningAlgorithms.Ed25519);
        var trusted = SigningKey.Generate(SigningAlgorithms.Ed25519);
        await new ModelSignatures(client).SignAsync(uri, signer);

        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, trusted.PublicKey));

        Assert.Contains("not trusted", error.Message);
        Assert.Contains(signer.KeyId, error.Message);
    }

    [Fact]
    public async Task Verify_Unsigned_IsRefusedSayingHowToSign()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);

        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, SigningKey.Generate(SigningAlgorithms.Ed25519).PublicKey));

        Assert.Contains("models:/delay/1 is unsigned", error.Message);
        Assert.Contains("cairn models sign", error.Message);
    }

    [Fact]
    public async Task Verify_EnvelopeOfAnotherVersionCopiedOver_IsRefused()
    {
        using var client = Open();
        var first = await SignedPackages.RegisterAsync(client, _folder);
        var second = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.Ed25519);
        var signed = await new ModelSignatures(client).SignAsync(first, key);

        var envelope = await SignedPackages.ReadAsync(client, signed.EnvelopePath);
        await client.Artifacts.PutAsync(Cairn.Artifacts.ArtifactPath.Combine(ModelSignatures.FolderOf("delay", "2"), key.KeyId + ".dsse.json"), new MemoryStream(envelope));
        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, second, key.PublicKey));

        Assert.Contains("was made for models:/delay/1, not models:/delay/2", error.Message);
    }

    [Fact]
    public async Task Verify_PayloadAlteredAfterSigning_SignatureIsInvalid()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.EcdsaP256);
        var signed = await new ModelSignatures(client).SignAsync(uri, key);

        var json = JsonNode.Parse(await SignedPackages.ReadAsync(client, signed.EnvelopePath))!;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(json["payload"]!.GetValue<string>()));
        json["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("models:/delay/1", "models:/delay/9")));
        await client.Artifacts.PutAsync(signed.EnvelopePath, new MemoryStream(Encoding.UTF8.GetBytes(json.ToJsonString())));
        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, key.PublicKey));

        Assert.Contains("is invalid", error.Message);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"payloadType": "application/vnd.in-toto+json", "payload": "%%%", "signatures": [{"keyid": "a", "sig": "AA=="}]}""")]
    [InlineData("""{"payloadType": "application/vnd.in-toto+json", "payload": "e30=", "signatures": []}""")]
    public async Task Verify_MalformedEnvelope_IsAClearError(string envelope)
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        await client.Artifacts.PutAsync(Cairn.Artifacts.ArtifactPath.Combine(ModelSignatures.FolderOf("delay", "1"), "x.dsse.json"), new MemoryStream(Encoding.UTF8.GetBytes(envelope)));

        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, SigningKey.Generate(SigningAlgorithms.Ed25519).PublicKey));

        Assert.Contains("is malformed", error.Message);
        Assert.Contains("x.dsse.json", error.Message);
    }

    [Fact]
    public async Task Verify_KeyIdWithPathCharacters_IsOnlyAnUntrustedSigner()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var envelope = new DsseEnvelope(ModelStatement.PayloadType, Encoding.UTF8.GetBytes("{}"), [new DsseSignature("../../../etc/passwd\n", [1, 2, 3])]);
        await client.Artifacts.PutAsync(Cairn.Artifacts.ArtifactPath.Combine(ModelSignatures.FolderOf("delay", "1"), "evil.dsse.json"), new MemoryStream(Encoding.UTF8.GetBytes(envelope.ToJson())));

        var error = await Assert.ThrowsAsync<CairnException>(() => SignedPackages.VerifyAsync(client, _folder, uri, SigningKey.Generate(SigningAlgorithms.Ed25519).PublicKey));

        Assert.Contains("not trusted: ../../../etc/passwd?", error.Message);
    }

    [Fact]
    public async Task SetAlias_SignedOnlyAlias_RefusesUnsignedAndSignedByAnotherKey_AcceptsTheNamedSigner()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var accepted = SigningKey.Generate(SigningAlgorithms.Ed25519);
        var other = SigningKey.Generate(SigningAlgorithms.EcdsaP256);
        var registry = new ModelRegistry(client);
        await client.Registry.SetRegisteredModelTagAsync("delay", new RegisteredModelTag(SignaturePolicy.RequireSignatureTag("champion"), accepted.KeyId));

        var unsigned = await Assert.ThrowsAsync<CairnException>(() => registry.SetAliasAsync("delay", "champion", "1"));
        await new ModelSignatures(client).SignAsync(uri, other);
        var wrongSigner = await Assert.ThrowsAsync<CairnException>(() => registry.SetAliasAsync("delay", "champion", "1"));
        await new ModelSignatures(client).SignAsync(uri, accepted);
        await registry.SetAliasAsync("delay", "champion", "1");
        await registry.SetAliasAsync("delay", "staging", "1"); // other aliases keep no policy

        Assert.Contains("accepts only signed versions", unsigned.Message);
        Assert.Contains("is unsigned", unsigned.Message);
        Assert.Contains("accepts only versions signed by " + accepted.KeyId, wrongSigner.Message);
        Assert.Equal("1", (await client.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
    }

    [Fact]
    public async Task SetAlias_SignedOnlyAlias_RefusesAVersionWhoseDigestsChangedAfterSigning()
    {
        using var client = Open();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.Ed25519);
        await new ModelSignatures(client).SignAsync(uri, key);
        await client.Registry.SetRegisteredModelTagAsync("delay", new RegisteredModelTag(SignaturePolicy.RequireSignatureTag("champion"), "true"));

        var digestsPath = await SignedPackages.PathInPackageAsync(client, uri, ModelPackage.DigestsFile);
        var digests = await SignedPackages.ReadAsync(client, digestsPath);
        await client.Artifacts.PutAsync(digestsPath, new MemoryStream([.. digests, (byte)' ']));
        var error = await Assert.ThrowsAsync<CairnException>(() => new ModelRegistry(client).SetAliasAsync("delay", "champion", "1"));

        Assert.Contains("does not match its signature", error.Message);
    }

    [Fact]
    public async Task AgainstARealServer_SignVerifyAndTheAliasEndpointChecksTheSignerTag()
    {
        await using var server = await RunningServer.StartAsync();
        using var client = server.Client();
        var uri = await SignedPackages.RegisterAsync(client, _folder);
        var key = SigningKey.Generate(SigningAlgorithms.EcdsaP256);
        await client.Registry.SetRegisteredModelTagAsync("delay", new RegisteredModelTag(SignaturePolicy.RequireSignatureTag("champion"), "true"));

        // The REST endpoint itself (as MLflow's client calls it), not only the SDK's check before it.
        var before = await server.Http.PostAsync("/api/2.0/mlflow/registered-models/alias",
            new StringContent("""{"name": "delay", "alias": "champion", "version": "1"}""", Encoding.UTF8, "application/json"));
        await new ModelSignatures(client).SignAsync(uri, key);
        var verified = await SignedPackages.VerifyAsync(client, _folder, uri, key.PublicKey);
        var after = await server.Http.PostAsync("/api/2.0/mlflow/registered-models/alias",
            new StringContent("""{"name": "delay", "alias": "champion", "version": "1"}""", Encoding.UTF8, "application/json"));

        Assert.False(before.IsSuccessStatusCode);
        Assert.Contains("accepts only signed versions", await before.Content.ReadAsStringAsync());
        Assert.Equal(key.KeyId, verified.KeyId);
        Assert.True(after.IsSuccessStatusCode, await after.Content.ReadAsStringAsync());
    }
}
