using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Security.Tests;

/// <summary>Accounts on a real SQLite identity store: what reaches the store, and every way a sign-in fails.</summary>
public sealed class AccountServiceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SqliteStores _stores;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly AccountService _accounts;

    public AccountServiceTests()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"), _clock);
        _accounts = new AccountService(_stores.Identity, new PasswordHasher(iterations: 1_000), _clock);
    }

    public void Dispose()
    {
        _stores.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task SignIn_TheRightPassword_GivesTheUser_AndEveryWrongOneNull()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery", isAdmin: true);

        var user = await _accounts.SignInAsync("alice", "correct horse battery");

        Assert.Equal(("alice", true), (user!.Username, user.IsAdmin));
        Assert.Null(await _accounts.SignInAsync("alice", "correct horse batter"));
        Assert.Null(await _accounts.SignInAsync("bob", "correct horse battery"));
        Assert.Null(await _accounts.SignInAsync("not a name", "correct horse battery"));
    }

    [Fact]
    public async Task CreateUser_StoresOnlyASaltedHash_AndRefusesAShortPassword()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");

        var stored = await _stores.Identity.GetPasswordHashAsync("alice");
        Assert.StartsWith("pbkdf2-sha256$1000$", stored);
        Assert.DoesNotContain("correct horse", stored);
        var e = await Assert.ThrowsAsync<CairnException>(() => _accounts.CreateUserAsync("bob", "short"));
        Assert.Contains("12 to 1024 characters", e.Message);
        await Assert.ThrowsAsync<CairnException>(() => _stores.Identity.GetUserAsync("bob"));
    }

    [Fact]
    public async Task SignIn_AHashWithFewerIterations_IsRehashedWithTheCurrentOnes()
    {
        await _stores.Identity.CreateUserAsync("alice", new PasswordHasher(500).Hash("correct horse battery"), false);

        Assert.NotNull(await _accounts.SignInAsync("alice", "correct horse battery"));

        Assert.StartsWith("pbkdf2-sha256$1000$", await _stores.Identity.GetPasswordHashAsync("alice"));
        Assert.NotNull(await _accounts.SignInAsync("alice", "correct horse battery"));
    }

    [Fact]
    public async Task ChangePassword_TheOldOneNoLongerSignsIn()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");

        await _accounts.ChangePasswordAsync("alice", "a new long password");

        Assert.Null(await _accounts.SignInAsync("alice", "correct horse battery"));
        Assert.NotNull(await _accounts.SignInAsync("alice", "a new long password"));
    }

    [Fact]
    public async Task AToken_SignsIn_UntilItExpiresOrIsRevoked_AndOnlyItsHashIsStored()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");
        var (token, secret) = await _accounts.IssueTokenAsync("alice", "ci", TimeSpan.FromDays(90));
        var (forever, foreverSecret) = await _accounts.IssueTokenAsync("alice", "laptop", lifetime: null);

        Assert.Equal("alice", (await _accounts.AuthenticateTokenAsync(secret))!.Username);
        Assert.Equal(_clock.GetUtcNow().AddDays(90).ToUnixTimeMilliseconds(), token.ExpiryTime);
        Assert.Null(await _accounts.AuthenticateTokenAsync(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(await _accounts.AuthenticateTokenAsync("correct horse battery"));
        Assert.DoesNotContain(await _stores.Identity.ListTokensAsync("alice"), t => t.ToString().Contains(secret, StringComparison.Ordinal));

        _clock.Advance(TimeSpan.FromDays(90));
        Assert.Null(await _accounts.AuthenticateTokenAsync(secret));
        Assert.NotNull(await _accounts.AuthenticateTokenAsync(foreverSecret));

        await _stores.Identity.RevokeTokenAsync(forever.Id);
        Assert.Null(await _accounts.AuthenticateTokenAsync(foreverSecret));
    }

    [Fact]
    public async Task IssueToken_ALifetimeNotPositive_IsRefused()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");

        await Assert.ThrowsAsync<CairnException>(() => _accounts.IssueTokenAsync("alice", "ci", TimeSpan.Zero));
        await Assert.ThrowsAsync<CairnException>(() => _accounts.IssueTokenAsync("alice", "ci", TimeSpan.FromDays(4000)));
        Assert.Empty(await _stores.Identity.ListTokensAsync("alice"));
    }

    [Fact]
    public async Task ATokenOfADeletedUser_NoLongerSignsIn()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");
        var (_, secret) = await _accounts.IssueTokenAsync("alice", "ci", null);

        await _stores.Identity.DeleteUserAsync("alice");

        Assert.Null(await _accounts.AuthenticateTokenAsync(secret));
    }

    [Fact]
    public async Task AnExternalUser_IsMadeOnce_WithoutAPassword_ThatNoPasswordMatches_NorCanBeSet()
    {
        await _accounts.CreateUserAsync("alice", "correct horse battery");

        var carol = await _accounts.ExternalUserAsync("carol");
        var again = await _accounts.ExternalUserAsync("carol");
        var alice = await _accounts.ExternalUserAsync("alice");

        Assert.Equal(carol.Id, again.Id);
        Assert.Equal(2, (await _stores.Identity.ListUsersAsync()).Count);
        Assert.Null(await _accounts.SignInAsync("carol", PasswordHasher.NoPassword));
        Assert.Null(await _accounts.SignInAsync("carol", ""));
        var refused = await Assert.ThrowsAsync<CairnException>(() => _accounts.ChangePasswordAsync("carol", "a new password 1"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, refused.ErrorCode);
        Assert.Equal(PasswordHasher.NoPassword, await _stores.Identity.GetPasswordHashAsync("carol"));
        Assert.NotNull(await _accounts.SignInAsync(alice.Username, "correct horse battery"));
        await Assert.ThrowsAsync<CairnException>(() => _accounts.ExternalUserAsync("../root"));
    }
}

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
