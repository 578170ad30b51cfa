using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Cairn.Security;

/// <summary>What a JWT sign-in gave: the user until the token expires, or why it was refused.</summary>
/// <param name="User">The signed-in user, with the token's groups; null when refused.</param>
/// <param name="ExpiresAt">When the token stops working (its <c>exp</c>); nothing may remember the sign-in past it.</param>
/// <param name="Refusal">Why the token was refused, in a few words that reveal nothing of the server; null when signed in.</param>
public sealed record JwtSignIn(UserAccount? User, DateTimeOffset ExpiresAt, string? Refusal)
{
    internal static JwtSignIn Refused(string why) => new(null, DateTimeOffset.MinValue, why);
}

/// <summary>
/// Signs in bearer JWTs from the organisation's identity provider (<see cref="OidcOptions"/>):
/// signature by one of the provider's asymmetric keys, issuer, audience and lifetime (<c>exp</c>
/// required, <c>nbf</c> honoured). The user name claim names a Cairn user, made on first sign-in
/// without a password; the groups and admin rights of the request come from the token, while the
/// store's own groups of that user are left as they are.
/// </summary>
public sealed class JwtAuthenticator
{
    private const int MaxGroups = 256;
    private readonly OidcOptions _options;
    private readonly AccountService _accounts;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<SecurityKey>? _fileKeys;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Checks the options and, with a JWKS file, reads its keys.</summary>
    /// <param name="options">Issuer, audiences, keys and claims.</param>
    /// <param name="accounts">Where users are found or made.</param>
    /// <param name="time">The clock tokens' lifetimes are checked against.</param>
    /// <param name="http">Fetches the issuer's metadata and keys (null: a shared client).</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an issuer that is not an http(s) URL (https unless on loopback,
    /// when keys come from its metadata), no audience, a skew over a minute, or a JWKS file missing, not JSON, or without an RSA or EC key.</exception>
    public JwtAuthenticator(OidcOptions options, AccountService accounts, TimeProvider? time = null, HttpClient? http = null)
    {
        _options = options;
        _accounts = accounts;
        _time = time ?? TimeProvider.System;
        if (!Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer) || issuer.Scheme is not ("https" or "http"))
            throw CairnException.InvalidParameter($"The OIDC issuer '{options.Issuer}' is not an http(s) URL.");
        if (options.Audiences.Count == 0 || options.Audiences.Any(string.IsNullOrWhiteSpace))
            throw CairnException.InvalidParameter("OIDC needs the audience (client id) Cairn's tokens are issued for.");
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > OidcOptions.MaxClockSkew)
            throw CairnException.InvalidParameter($"The OIDC clock skew must be between 0 and {OidcOptions.MaxClockSkew.TotalSeconds:0} seconds.");
        if (string.IsNullOrWhiteSpace(options.UsernameClaim) || string.IsNullOrWhiteSpace(options.GroupsClaim))
            throw CairnException.InvalidParameter("The OIDC user name and groups claims must be named.");
        if (options.AdminGroup is not null) IdentityRules.Group(options.AdminGroup);
        if (options.JwksFile is { } file)
        {
            _fileKeys = ReadKeys(file);
            return;
        }
        // Metadata over plain http could be swapped by anyone on the path, and with it the keys: only a
        // provider on this machine (as in tests) is trusted without TLS.
        if (issuer.Scheme != "https" && !issuer.IsLoopback)
            throw CairnException.InvalidParameter($"The OIDC issuer '{options.Issuer}' must use https for its keys to be trusted (http only on loopback).");
        var retriever = new HttpDocumentRetriever(http ?? SharedHttp) { RequireHttps = !issuer.IsLoopback };
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            options.Issuer.TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever)
        {
            RefreshInterval = options.KeyRefreshInterval,
            // Also looked at hourly (the library's default is 12 hours), so that a key the provider drops stops working soon.
            AutomaticRefreshInterval = TimeSpan.FromHours(1),
        };
    }

    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Whether a bearer credential has the shape of a signed JWT: three base64url parts joined by dots (the last may be empty).</summary>
    public static bool LooksLikeJwt(string credential)
    {
        var parts = credential.Split('.');
        return parts is [{ Length: > 0 } header, { Length: > 0 } payload, var signature]
            && IsBase64Url(header) && IsBase64Url(payload) && IsBase64Url(signature);
    }

    private static bool IsBase64Url(string part) => part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The token's user, or why it was refused; never throws for a bad token.</summary>
    public async Task<JwtSignIn> AuthenticateAsync(string token, CancellationToken ct = default)
    {
        if (!LooksLikeJwt(token)) return JwtSignIn.Refused("not a JWT");
        IEnumerable<SecurityKey> keys;
        try
        {
            keys = _fileKeys ?? (IEnumerable<SecurityKey>)(await _metadata!.GetConfigurationAsync(ct).ConfigureAwait(false)).SigningKeys;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return JwtSignIn.Refused("the identity provider's keys could not be read");
        }
        var result = await _handler.ValidateTokenAsync(token, Parameters(keys)).ConfigureAwait(false);
        if (!result.IsValid)
        {
            // A key not known may be one the provider has just rotated in: look again (at most once per refresh interval).
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException) _metadata?.RequestRefresh();
            return JwtSignIn.Refused(Why(result.Exception));
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        if (Username(jwt) is not { } username) return JwtSignIn.Refused($"its '{_options.UsernameClaim}' claim is not a Cairn user name");
        var groups = Groups(jwt);
        var user = await _accounts.ExternalUserAsync(username, ct).ConfigureAwait(false);
        var isAdmin = user.IsAdmin || (_options.AdminGroup is { } admins && groups.Contains(admins));
        return new JwtSignIn(user with { Groups = groups, IsAdmin = isAdmin }, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), null);
    }

    private TokenValidationParameters Parameters(IEnumerable<SecurityKey> keys) => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudiences = _options.Audiences,
        IssuerSigningKeys = keys.Where(IsAsymmetric),
        ValidAlgorithms = OidcOptions.Algorithms,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        LifetimeValidator = IsWithinLifetime,
    };

    /// <summary>The lifetime check on this authenticator's clock (so that tests can move it), throwing what the handler would.</summary>
    private bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is not { } exp) throw new SecurityTokenNoExpirationException("The token has no expiry.");
        if (notBefore is { } nbf && nbf > now + _options.ClockSkew) throw new SecurityTokenNotYetValidException("The token is not valid yet.");
        if (exp <= now - _options.ClockSkew) throw new SecurityTokenExpiredException("The token has expired.");
        return true;
    }

    private static string Why(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not valid yet",
        SecurityTokenNoExpirationException => "it has no expiry",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        _ => "not a valid token",
    };

    /// <summary>The user name claim, else <c>sub</c>, when it is a name Cairn accepts.</summary>
    private string? Username(JsonWebToken jwt)
    {
        var name = StringClaims(jwt, _options.UsernameClaim).FirstOrDefault() ?? StringClaims(jwt, "sub").FirstOrDefault();
        return name is not null && IsValid(IdentityRules.Username, name) ? name : null;
    }

    /// <summary>
    /// The token's groups that are valid Cairn group names (others could hold no permission here, so
    /// they are left out rather than refusing the sign-in), at most <see cref="MaxGroups"/>.
    /// </summary>
    private List<string> Groups(JsonWebToken jwt) =>
        StringClaims(jwt, _options.GroupsClaim).Where(g => IsValid(IdentityRules.Group, g)).Distinct(StringComparer.Ordinal).Take(MaxGroups).ToList();

    // A claim holding an array gives one claim per element; numbers and objects are skipped.
    private static IEnumerable<string> StringClaims(JsonWebToken jwt, string type) =>
        jwt.Claims.Where(c => c.Type == type && c.ValueType == ClaimValueTypes.String).Select(c => c.Value);

    private static bool IsValid(Func<string?, string> rule, string value)
    {
        try
        {
            rule(value);
            return true;
        }
        catch (CairnException)
        {
            return false;
        }
    }

    private static bool IsAsymmetric(SecurityKey key) =>
        key is RsaSecurityKey or ECDsaSecurityKey or X509SecurityKey || key is JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve };

    private static List<SecurityKey> ReadKeys(string file)
    {
        if (!File.Exists(file)) throw CairnException.InvalidParameter($"The OIDC JWKS file {file} does not exist.");
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(File.ReadAllText(file));
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or IOException)
        {
            throw CairnException.InvalidParameter($"The OIDC JWKS file {file} is not a JSON Web Key Set.");
        }
        var keys = set.Keys.Where(k => IsAsymmetric(k) && k.Use is null or "sig").Cast<SecurityKey>().ToList();
        return keys.Count > 0 ? keys : throw CairnException.InvalidParameter($"The OIDC JWKS file {file} has no RSA or EC signing key.");
    }
}
