using Cairn.Features;
using Cairn.Storage.Redis;
using Cairn.Testing;
using StackExchange.Redis;

namespace Cairn.Storage.Tests;

public class RedisConnectionUriTests
{
    [Theory]
    [InlineData("redis://cache:6380/2", "cache", 6380, 2, false)]
    [InlineData("redis://cache", "cache", 6379, 0, false)]
    [InlineData("rediss://cache:6390/", "cache", 6390, 0, true)]
    [InlineData(" redis://127.0.0.1:7000/15 ", "127.0.0.1", 7000, 15, false)]
    public void Parse_ValidUri_GivesEndpointDatabaseAndTls(string uri, string host, int port, int database, bool tls)
    {
        var options = RedisConnectionUri.Parse(uri);
        var (gotHost, gotPort) = options.EndPoints.Single() switch
        {
            System.Net.DnsEndPoint dns => (dns.Host, dns.Port),
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => (other.ToString(), 0),
        };
        Assert.Equal((host, port, database, tls), (gotHost, gotPort, options.DefaultDatabase, options.Ssl));
    }

    [Fact]
    public void Parse_UserAndPassword_AreUnescaped()
    {
        var options = RedisConnectionUri.Parse("redis://ops:p%40ss@cache:6379/1");
        Assert.Equal(("ops", "p@ss"), (options.User, options.Password));
        Assert.Equal("only", RedisConnectionUri.Parse("redis://only@cache").Password);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("cache:6379", "is not redis or rediss")]
    [InlineData("http://cache:6379", "scheme 'http'")]
    [InlineData("redis://cache:99999", "not a valid URI")]
    [InlineData("redis://cache:6379/db1", "not a database number")]
    [InlineData("redis://cache:6379/-1", "not a database number")]
    [InlineData("redis://cache:6379/0/extra", "not a database number")]
    [InlineData("redis://cache:6379/0?ssl=true", "query options")]
    [InlineData("redis://cache:6379/0#x", "fragments")]
    [InlineData("redis:///0", "no host")]
    [InlineData("redis://ca che:6379", "not a valid URI")]
    public void Parse_HostileUri_IsRefusedSayingWhy(string? uri, string reason)
    {
        var error = Assert.Throws<CairnException>(() => RedisConnectionUri.Parse(uri));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(reason, error.Message);
        Assert.Contains("redis://host:port/db", error.Message);
    }

    [Fact]
    public void Parse_RefusedUriWithPassword_NeverRepeatsThePassword()
    {
        var error = Assert.Throws<CairnException>(() => RedisConnectionUri.Parse("redis://ops:hunter2@cache:6379/x"));
        Assert.DoesNotContain("hunter2", error.Message);
    }
}

[RequiresRedis]
public sealed class RedisOnlineFeatureStoreLayoutTests
{
    [ContractFact]
    public async Task Write_OneRow_IsOneHashWithTheEventTimeUnderTheDocumentedKey()
    {
        var prefix = $"layout:{Guid.NewGuid():N}:";
        await using var store = await RedisOnlineFeatureStore.ConnectAsync(RedisServer.Instance.Uri, prefix);
        var time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(1)).AddTicks(1234560);
        await store.WriteAsync("airport:delays", [new("avg", FeatureType.Double), new("n", FeatureType.Int64)],
            [new(["SEA", 7L], time, new Dictionary<string, object?> { ["avg"] = 4.5, ["n"] = null })]);

        using var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnectionUri.Parse(RedisServer.Instance.Uri));
        var key = prefix + "airport%3Adelays:sSEA:i7";
        Assert.Equal(key, store.KeyOf("airport:delays", ["SEA", 7L]));
        var hash = (await redis.GetDatabase().HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => e.Value);
        Assert.Equal(["", "avg"], hash.Keys.Order());
        Assert.Equal("2026-03-01T11:00:00.123456Z", (string)hash[""]!);
    }

    [ContractFact]
    public async Task Connect_NothingListening_IsTemporarilyUnavailable()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => RedisOnlineFeatureStore.ConnectAsync("redis://127.0.0.1:1/0"));
        Assert.Equal(ErrorCodes.TemporarilyUnavailable, error.ErrorCode);
        Assert.Contains("127.0.0.1:1", error.Message);
    }
}
