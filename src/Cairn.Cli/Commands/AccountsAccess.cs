using System.CommandLine;
using Cairn.Rest;
using Cairn.Security;

namespace Cairn.Cli.Commands;

/// <summary>
/// Where cairn users, tokens, groups and permissions act: the metadata database itself
/// (--backend-store-uri, or the tracking URI's embedded store), as an administrator on the server's
/// machine would; or a server at an http(s) tracking URI, signed in with the caller's credentials
/// (CAIRN_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME and PASSWORD, or cairn login), where the server
/// decides what the caller may do. The same two interfaces either way.
/// </summary>
internal sealed class AccountsAccess : IDisposable
{
    private readonly IDisposable _owner;

    private AccountsAccess(IIdentityStore identity, IAccountAdministration accounts, IDisposable owner, Uri? server)
    {
        (Identity, Accounts, _owner, Server) = (identity, accounts, owner, server);
    }

    /// <summary>Users, groups, token records and permissions.</summary>
    public IIdentityStore Identity { get; }

    /// <summary>What takes a password or gives a token's secret.</summary>
    public IAccountAdministration Accounts { get; }

    /// <summary>The server acted on; null for a database.</summary>
    public Uri? Server { get; }

    public static Option<string?> BackendStore() => new("--backend-store-uri")
    {
        Description = "Act on the server's metadata database directly: postgresql://..., sqlite:///path/cairn.db or a folder (default: the tracking URI: its server, or its embedded store).",
    };

    /// <summary>An action run against the database or server the options name; a server's refusal is said with what to do.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Run(Option<string?> store, Func<ParseResult, AccountsAccess, CancellationToken, Task<int>> action) =>
        async (parse, ct) =>
        {
            using var access = await OpenAsync(parse, store, ct);
            try
            {
                return await action(parse, access, ct);
            }
            catch (CairnException e) when (access.Server is { } server && e.ErrorCode == Cairn.Server.Security.AuthenticationMiddleware.Unauthenticated)
            {
                throw new CairnException(e.ErrorCode, $"The server at {server} did not sign you in: {e.Message} "
                    + $"Set {ServerCredentials.TokenVariable} (or {ServerCredentials.MlflowUsernameVariable} and {ServerCredentials.MlflowPasswordVariable}), or run cairn login.");
            }
            catch (CairnException e) when (access.Server is { } server && e.ErrorCode == ErrorCodes.PermissionDenied)
            {
                throw new CairnException(e.ErrorCode, $"The server at {server} refused: {e.Message}");
            }
        };

    private static async Task<AccountsAccess> OpenAsync(ParseResult parse, Option<string?> store, CancellationToken ct)
    {
        if (parse.GetValue(store) is null
            && (parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable)) is { } tracking
            && TrackingUri.Parse(tracking) is ServerLocation server)
        {
            var transport = new RestTransport(server.BaseUri, credentials: ServerCredentials.ForServer(server.BaseUri), tls: TlsTrust.FromEnvironment());
            return new AccountsAccess(new RestIdentityStore(transport), new RestAccountAdministration(transport), transport, server.BaseUri);
        }
        var uri = parse.GetValue(store) ?? parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable);
        if (uri is not null && TrackingUri.Parse(uri) is ServerLocation)
            throw CairnException.InvalidParameter($"{uri} is a server's address: give --backend-store-uri the server's database (postgresql://..., sqlite:///...), or give the address as --tracking-uri to act through the server.");
        var metadata = await StoreWiring.OpenMetadataAsync(uri, ct);
        return new AccountsAccess(metadata.Identity, new AccountService(metadata.Identity), metadata, null);
    }

    public void Dispose() => _owner.Dispose();
}
