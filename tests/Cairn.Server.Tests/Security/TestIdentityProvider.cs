using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// An identity provider made by the test: its own RSA and EC keys, their JWKS, and tokens signed (or
/// forged) as a test needs; <see cref="ServeAsync"/> publishes its metadata on 127.0.0.1.
/// </summary>
internal sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "cairn";
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private WebApplication? _app;

    public TestIdentityProvider(string issuer = "https://idp.example.test/realms/ml") => Issuer = issuer;

    public string Issuer { get; private set; }
    public RsaSecurityKey RsaKey => new(_rsa) { KeyId = "rsa-1" };
    public ECDsaSecurityKey EcKey => new(_ec) { KeyId = "ec-1" };
    public SigningCredentials Rsa => new(RsaKey, SecurityAlgorithms.RsaSha256);
    public SigningCredentials Ec => new(EcKey, SecurityAlgorithms.EcdsaSha256);

    /// <summary>The keys <see cref="ServeAsync"/> publishes now (a test may rotate them).</summary>
    public string PublishedJwks { get; set; } = "";

    /// <summary>A JWKS of the public halves of <paramref name="keys"/>.</summary>
    public static string Jwks(params SecurityKey[] keys) => JsonSerializer.Serialize(new { keys = keys.Select(PublicJwk).ToList() });

    private static Dictionary<string, string> PublicJwk(SecurityKey key) => key switch
    {
        RsaSecurityKey rsa when rsa.Rsa.ExportParameters(false) is var p => new()
            { ["kty"] = "RSA", ["kid"] = key.KeyId, ["use"] = "sig", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent) },
        ECDsaSecurityKey ec when ec.ECDsa.ExportParameters(false) is var p => new()
            { ["kty"] = "EC", ["kid"] = key.KeyId, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y) },
        _ => throw new ArgumentException("Not an RSA or EC key.", nameof(key)),
    };

    /// <summary>A signed token; <paramref name="expires"/> relative to <paramref name="now"/> (default: ten minutes ahead of the real clock).</summary>
    public string Token(SigningCredentials signing, string username = "carol", string[]? groups = null, string? issuer = null, string audience = Audience,
        TimeSpan? expires = null, DateTimeOffset? now = null)
    {
        var at = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var claims = new Dictionary<string, object> { ["preferred_username"] = username, ["sub"] = "id-" + username };
        if (groups is not null) claims["groups"] = groups;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = at.AddHours(-1),
            NotBefore = at.AddHours(-1),
            Expires = at + (expires ?? TimeSpan.FromMinutes(10)),
            Claims = claims,
            SigningCredentials = signing,
        });
    }

    /// <summary>A token as an attacker writes it: any header, this issuer's claims, and the signature given.</summary>
    public string Forged(object header, Func<byte[], byte[]> sign)
    {
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var payload = new { iss = Issuer, aud = Audience, exp, preferred_username = "mallory", groups = new[] { "cairn-admins" } };
        var signed = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
        return signed + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signed)));
    }

    /// <summary>The RSA public key as PEM: what the HS256 confusion attack uses as the HMAC secret.</summary>
    public byte[] PublicPem => Encoding.ASCII.GetBytes(_rsa.ExportSubjectPublicKeyInfoPem());

    /// <summary>Serves /.well-known/openid-configuration and the JWKS over http on 127.0.0.1; the issuer becomes that address.</summary>
    public async Task ServeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = Issuer, jwks_uri = Issuer + "/jwks" }));
        _app.MapGet("/jwks", () => Results.Text(PublishedJwks, "application/json"));
        await _app.StartAsync();
        Issuer = _app.BoundAddress().ToString().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _rsa.Dispose();
        _ec.Dispose();
    }
}
