using System.CommandLine;
using Cairn.Security;

namespace Cairn.Cli.Commands;

/// <summary>The --oidc-* options of <c>cairn server</c>: single sign-on with bearer JWTs from the organisation's identity provider.</summary>
internal sealed class OidcOption
{
    private readonly Option<string?> _issuer = new("--oidc-issuer") { Description = "With --auth: accept bearer JWTs from this OIDC issuer (its iss, such as https://login.example.com/realms/ml); keys from its /.well-known/openid-configuration unless --oidc-jwks is given." };
    private readonly Option<string[]> _audience = new("--oidc-audience") { Description = "The aud the issuer's tokens carry for Cairn (its client id); repeatable." };
    private readonly Option<string?> _jwks = new("--oidc-jwks") { Description = "A JSON Web Key Set file with the issuer's public keys, read at start, instead of its metadata." };
    private readonly Option<string?> _usernameClaim = new("--oidc-username-claim") { Description = "The claim that names the Cairn user (default preferred_username, else sub)." };
    private readonly Option<string?> _groupsClaim = new("--oidc-groups-claim") { Description = "The claim listing the user's groups (default groups)." };
    private readonly Option<string?> _adminGroup = new("--oidc-admin-group") { Description = "Members of this group (in the token) are admins." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _issuer, _audience, _jwks, _usernameClaim, _groupsClaim, _adminGroup }) command.Options.Add(option);
    }

    /// <summary>The options given; null without --oidc-issuer (and then no other --oidc-* option may be given).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for --oidc-* options without an issuer, or an issuer without an audience.</exception>
    public OidcOptions? OptionsIn(ParseResult parse)
    {
        var audiences = parse.GetValue(_audience) ?? [];
        var others = new object?[] { parse.GetValue(_jwks), parse.GetValue(_usernameClaim), parse.GetValue(_groupsClaim), parse.GetValue(_adminGroup) };
        if (parse.GetValue(_issuer) is not { } issuer)
            return audiences.Length > 0 || others.Any(o => o is not null) ? throw CairnException.InvalidParameter("The --oidc-* options need --oidc-issuer.") : null;
        if (audiences.Length == 0) throw CairnException.InvalidParameter("--oidc-issuer needs --oidc-audience: the aud its tokens carry for Cairn.");
        var options = new OidcOptions(issuer, audiences) { JwksFile = parse.GetValue(_jwks), AdminGroup = parse.GetValue(_adminGroup) };
        if (parse.GetValue(_usernameClaim) is { } username) options = options with { UsernameClaim = username };
        if (parse.GetValue(_groupsClaim) is { } groups) options = options with { GroupsClaim = groups };
        return options;
    }
}
