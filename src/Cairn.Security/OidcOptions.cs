namespace Cairn.Security;

/// <summary>
/// Single sign-on with the organisation's identity provider: which bearer JWTs the server accepts
/// (issuer, audience, signing keys) and how their claims map to a Cairn user and groups.
/// </summary>
/// <param name="Issuer">The provider's issuer URL, exactly as its tokens' <c>iss</c> claim holds it.</param>
/// <param name="Audiences">The <c>aud</c> values accepted (the client id or API identifier Cairn is registered under).</param>
public sealed record OidcOptions(string Issuer, IReadOnlyList<string> Audiences)
{
    /// <summary>The algorithms accepted: asymmetric only, so neither <c>none</c> nor an HMAC keyed with a public key gets in.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["RS256", "ES256", "PS256"];

    /// <summary>The most clock difference tolerated between the provider and this server.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A JSON Web Key Set file with the provider's public keys, read once when the server starts (a key
    /// rotated at the provider needs a restart). Null: the keys come from the issuer's
    /// <c>/.well-known/openid-configuration</c> and its <c>jwks_uri</c>, refreshed as the provider rotates them.
    /// </summary>
    public string? JwksFile { get; init; }

    /// <summary>The claim holding the Cairn user name; when a token lacks it, <c>sub</c> is used.</summary>
    public string UsernameClaim { get; init; } = "preferred_username";

    /// <summary>The claim holding the user's groups: an array of strings or one string.</summary>
    public string GroupsClaim { get; init; } = "groups";

    /// <summary>Members of this group (from the token) are admins; null: admins only as the store says.</summary>
    public string? AdminGroup { get; init; }

    /// <summary>The least time between two fetches of the issuer's keys when a token names a key not known yet (metadata only).</summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock difference tolerated on <c>exp</c> and <c>nbf</c>, at most <see cref="MaxClockSkew"/>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}
