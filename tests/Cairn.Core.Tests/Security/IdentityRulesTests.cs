using Cairn.Security;

namespace Cairn.Core.Tests.Security;

public sealed class IdentityRulesTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith@example.com")]
    [InlineData("svc_ci-2")]
    public void Username_Valid_IsKept(string name) => Assert.Equal(name, IdentityRules.Username(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("ålice")]
    [InlineData("a\u0000b")]
    public void Username_Invalid_IsRefused(string? name)
    {
        var e = Assert.Throws<CairnException>(() => IdentityRules.Username(name));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
    }

    [Fact]
    public void Password_OutOfBounds_IsRefusedWithoutEchoingIt()
    {
        var e = Assert.Throws<CairnException>(() => IdentityRules.Password("short-pw"));
        Assert.DoesNotContain("short-pw", e.Message);
        Assert.Throws<CairnException>(() => IdentityRules.Password(new string('x', IdentityRules.MaxPasswordLength + 1)));
        Assert.Equal("twelve chars", IdentityRules.Password("twelve chars"));
    }

    [Theory]
    [InlineData("user:alice", "user", "alice")]
    [InlineData("group:ml-team", "group", "ml-team")]
    public void Principal_Valid_IsSplit(string principal, string kind, string name) =>
        Assert.Equal((kind, name), IdentityRules.Principal(principal));

    [Theory]
    [InlineData("alice")]
    [InlineData("role:admin")]
    [InlineData("user:")]
    [InlineData("user:a b")]
    [InlineData(":alice")]
    public void Principal_Invalid_IsRefused(string principal) =>
        Assert.Throws<CairnException>(() => IdentityRules.Principal(principal));

    [Fact]
    public void Permissions_ParseMlflowsNames_AndEachIncludesTheOnesBefore()
    {
        Assert.Equal(Permission.Manage, Permissions.Parse("MANAGE"));
        Assert.Equal(Permission.NoPermissions, Permissions.Parse("no_permissions"));
        Assert.Equal("EDIT", Permission.Edit.Name());
        Assert.Contains("READ, EDIT", Assert.Throws<CairnException>(() => Permissions.Parse("WRITE")).Message.Replace("NO_PERMISSIONS, ", ""));
        Assert.Equal([false, true, true, true], Enum.GetValues<Permission>().Select(p => p.CanRead()));
        Assert.Equal([false, false, true, true], Enum.GetValues<Permission>().Select(p => p.CanUpdate()));
        Assert.Equal([false, false, false, true], Enum.GetValues<Permission>().Select(p => p.CanManage()));
    }

    [Fact]
    public void TokenSecrets_AreRandomPrefixedAndHashedStably()
    {
        var (id1, secret1) = ApiTokenSecrets.New();
        var (id2, secret2) = ApiTokenSecrets.New();

        Assert.NotEqual(secret1, secret2);
        Assert.NotEqual(id1, id2);
        Assert.True(ApiTokenSecrets.Looks(secret1));
        Assert.False(ApiTokenSecrets.Looks("eyJhbGciOiJFUzI1NiJ9.e30.sig"));
        Assert.Equal(ApiTokenSecrets.Hash(secret1), ApiTokenSecrets.Hash(secret1));
        Assert.Equal(64, ApiTokenSecrets.Hash(secret1).Length);
        Assert.DoesNotContain(secret1, ApiTokenSecrets.Hash(secret1));
    }

    [Fact]
    public void AToken_IsValidUntilItExpiresOrIsRevoked()
    {
        var token = new ApiToken("id", "alice", "ci", 0, ExpiryTime: 1_000, RevokedTime: null);

        Assert.True(token.IsValidAt(999));
        Assert.False(token.IsValidAt(1_000));
        Assert.False((token with { RevokedTime = 500 }).IsValidAt(10));
        Assert.True((token with { ExpiryTime = null }).IsValidAt(long.MaxValue));
    }
}
