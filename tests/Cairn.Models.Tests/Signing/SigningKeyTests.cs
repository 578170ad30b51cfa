using System.Text;
using Cairn.Models.Signing;
using Cairn.Testing;

namespace Cairn.Models.Tests.Signing;

/// <summary>Key files and DSSE envelopes on their own.</summary>
public class SigningKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(SigningAlgorithms.Ed25519)]
    [InlineData(SigningAlgorithms.EcdsaP256)]
    public void Save_ThenLoad_SameKeyId_PrivateFileOwnerOnly_PublicKeyBeside(string algorithm)
    {
        var key = SigningKey.Generate(algorithm);
        var path = _folder.File("key.pem");

        var publicPath = key.Save(path);
        var loaded = SigningKey.Load(path);
        var trusted = TrustedKeys.Load(_folder.File("key.pub.pem"));

        Assert.Equal(_folder.File("key.pub.pem"), publicPath);
        Assert.Equal(key.KeyId, loaded.KeyId);
        Assert.Equal(algorithm, loaded.Algorithm);
        Assert.NotNull(trusted.Find(key.KeyId));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var message = Encoding.UTF8.GetBytes("digests");
        Assert.True(trusted.Find(key.KeyId)!.Verify(message, loaded.Sign(message)));
        Assert.False(trusted.Find(key.KeyId)!.Verify(Encoding.UTF8.GetBytes("digestz"), loaded.Sign(message)));
    }

    [Fact]
    public void Save_OverAnExistingKey_IsRefused()
    {
        var path = _folder.File("key.pem");
        SigningKey.Generate(SigningAlgorithms.Ed25519).Save(path);
        var error = Assert.Throws<CairnException>(() => SigningKey.Generate(SigningAlgorithms.Ed25519).Save(path));
        Assert.Contains("does not overwrite keys", error.Message);
    }

    [Fact]
    public void Load_AFileThatIsNotPem_SaysSo()
    {
        var path = _folder.File("key.pem");
        File.WriteAllText(path, "this is not a key");
        var error = Assert.Throws<CairnException>(() => SigningKey.Load(path));
        Assert.Contains("is not a PEM key file", error.Message);
    }

    [Fact]
    public void Load_APublicKeyToSignWith_SaysAPrivateKeyIsNeeded()
    {
        var path = _folder.File("key.pem");
        SigningKey.Generate(SigningAlgorithms.EcdsaP256).Save(path);
        var error = Assert.Throws<CairnException>(() => SigningKey.Load(_folder.File("key.pub.pem")));
        Assert.Contains("'PUBLIC KEY' PEM block; signing needs a PKCS#8 'PRIVATE KEY' block", error.Message);
    }

    [Fact]
    public void Load_AnRsaKey_NamesTheSupportedAlgorithms()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var path = _folder.File("rsa.pem");
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem());
        var error = Assert.Throws<CairnException>(() => SigningKey.Load(path));
        Assert.Contains("use ed25519 or ecdsa-p256", error.Message);
    }

    [Fact]
    public void Load_GarbageInsideAPemBlock_IsAClearError()
    {
        var path = _folder.File("key.pem");
        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        var error = Assert.Throws<CairnException>(() => SigningKey.Load(path));
        Assert.Contains("does not hold a valid private key", error.Message);
    }

    [Fact]
    public void TrustedKeys_AFolderWithoutKeys_SaysWhatToPutThere()
    {
        var error = Assert.Throws<CairnException>(() => TrustedKeys.Load(_folder.Path));
        Assert.Contains("holds no .pem files", error.Message);
    }

    [Fact]
    public void TrustedKeys_AnEd25519PublicKeyOfTheWrongLength_IsRefusedWhenRead()
    {
        // SubjectPublicKeyInfo { Ed25519, a 16-byte key }: the algorithm is right, the key is not.
        byte[] spki = [0x30, 0x1a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x11, 0x00, .. new byte[16]];
        File.WriteAllText(_folder.File("bad.pub.pem"), System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", spki));

        var error = Assert.Throws<CairnException>(() => TrustedKeys.Load(_folder.File("bad.pub.pem")));

        Assert.Contains("does not hold a valid ed25519 public key", error.Message);
    }

    [Fact]
    public void PreAuthenticationEncoding_IsDssesV1Encoding()
    {
        // The example of DSSE's protocol document.
        var pae = DsseEnvelope.PreAuthenticationEncoding("http://example.com/HelloWorld", Encoding.UTF8.GetBytes("hello world"));
        Assert.Equal("DSSEv1 29 http://example.com/HelloWorld 11 hello world", Encoding.UTF8.GetString(pae));
    }

    [Fact]
    public void Envelope_RoundTripsThroughJson_AndStillVerifies()
    {
        var key = SigningKey.Generate(SigningAlgorithms.Ed25519);
        var envelope = DsseEnvelope.Sign("application/vnd.in-toto+json", Encoding.UTF8.GetBytes("{\"a\":1}"), key);

        var read = DsseEnvelope.Parse(envelope.ToJson(), "test");

        Assert.Equal(key.KeyId, read.Signatures[0].KeyId);
        Assert.True(read.Verifies(read.Signatures[0], key.PublicKey));
        Assert.False(read.Verifies(read.Signatures[0], SigningKey.Generate(SigningAlgorithms.Ed25519).PublicKey));
    }
}
