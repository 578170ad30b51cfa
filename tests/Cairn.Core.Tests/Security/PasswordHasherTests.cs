using Cairn.Security;

namespace Cairn.Core.Tests.Security;

public sealed class PasswordHasherTests
{
    // Few iterations keep the tests fast; the format and the checks are the same at any count.
    private readonly PasswordHasher _hasher = new(iterations: 1_000);

    [Fact]
    public void Hash_VerifiesTheSamePassword_AndNoOther()
    {
        var stored = _hasher.Hash("correct horse battery");

        Assert.True(_hasher.Verify("correct horse battery", stored));
        Assert.False(_hasher.Verify("correct horse batterY", stored));
        Assert.False(_hasher.Verify("", stored));
    }

    [Fact]
    public void Hash_IsSaltedAndSaysHowItWasMade()
    {
        var (first, second) = (_hasher.Hash("same password"), _hasher.Hash("same password"));

        Assert.NotEqual(first, second);
        Assert.StartsWith("pbkdf2-sha256$1000$", first);
        Assert.DoesNotContain("same password", first);
        Assert.Equal(600_000, PasswordHasher.RecommendedIterations);
        Assert.StartsWith("pbkdf2-sha256$600000$", PasswordHasher.Default.Hash("x"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain-text-password")]
    [InlineData("pbkdf2-sha256$abc$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$0$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$99999999$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAA")]
    [InlineData("md5$1000$AAAA$AAAA")]
    public void Verify_AMalformedStoredHash_NeverMatches(string? stored)
    {
        Assert.False(_hasher.Verify("plain-text-password", stored));
    }

    [Fact]
    public void NeedsRehash_WhenStoredWithFewerIterations()
    {
        var weak = new PasswordHasher(500).Hash("pw");

        Assert.True(_hasher.Verify("pw", weak));
        Assert.True(_hasher.NeedsRehash(weak));
        Assert.False(_hasher.NeedsRehash(_hasher.Hash("pw")));
    }
}
