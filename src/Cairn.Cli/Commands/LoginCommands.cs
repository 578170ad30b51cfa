using System.CommandLine;
using System.Text.Json;
using Cairn.Rest;

namespace Cairn.Cli.Commands;

/// <summary>
/// cairn login and cairn logout: an API token checked against the server, then kept for it in the
/// user's credentials file, so that the CLI and SDK sign in without environment variables.
/// The token is read from a file, standard input or the terminal, never from the command line.
/// </summary>
internal static class LoginCommands
{
    public static Command Login(TextWriter stdout)
    {
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "Read the API token from the first line of this file ('-' for standard input); without it, from piped standard input or asked for on the terminal.",
        };
        var command = new Command("login", "Check an API token (cairn tokens create) against the server and keep it for that server in ~/.config/cairn/credentials.json.") { tokenFile };
        command.SetAction(async (parse, ct) =>
        {
            var server = Server(parse, "login");
            var token = ReadToken(parse.GetValue(tokenFile));
            var credentials = ServerCredentials.Bearer(token);
            using (var transport = new RestTransport(server, credentials: credentials, tls: TlsTrust.FromEnvironment()))
            {
                try
                {
                    // A cheap request every signed-in user may make.
                    await transport.GetAsync<JsonElement>("api/2.0/mlflow/experiments/search", [("max_results", "1")], ct);
                }
                catch (CairnException e) when (e.ErrorCode is Cairn.Server.Security.AuthenticationMiddleware.Unauthenticated or ErrorCodes.PermissionDenied)
                {
                    throw new CairnException(e.ErrorCode, $"The server at {server} did not accept this token ({e.Message}); nothing was stored.");
                }
            }
            var file = UserCredentials();
            file.Store(server, token.Trim());
            stdout.WriteLine($"Logged in to {CredentialsFile.Key(server)}; the token is kept in {file.Path}.");
            return 0;
        });
        return command;
    }

    public static Command Logout(TextWriter stdout)
    {
        var command = new Command("logout", "Forget the API token cairn login kept for the server.");
        command.SetAction(parse =>
        {
            var server = Server(parse, "logout");
            var file = UserCredentials();
            stdout.WriteLine(file.Remove(server)
                ? $"Logged out of {CredentialsFile.Key(server)}."
                : $"No token was kept for {CredentialsFile.Key(server)}.");
            return 0;
        });
        return command;
    }

    private static Uri Server(ParseResult parse, string verb)
    {
        var uri = parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable);
        return uri is not null && TrackingUri.Parse(uri) is ServerLocation server
            ? server.BaseUri
            : throw CairnException.InvalidParameter($"cairn {verb} is for a server: give --tracking-uri https://host:port (or set {TrackingUri.EnvironmentVariable}).");
    }

    private static CredentialsFile UserCredentials() => CredentialsFile.Default()
        ?? throw CairnException.InvalidParameter("No home folder to keep the token in: set XDG_CONFIG_HOME or HOME.");

    /// <summary>The token from the file's first line, piped standard input, or the terminal without echo.</summary>
    private static string ReadToken(string? file)
    {
        string? line;
        if (file is not null && file != "-")
        {
            if (!File.Exists(file)) throw CairnException.InvalidParameter($"--token-file {file} does not exist.");
            line = File.ReadLines(file).FirstOrDefault();
        }
        else if (file == "-" || Console.IsInputRedirected) line = Console.In.ReadLine();
        else line = TerminalSecret.Read("API token: ");
        return line?.Trim() is { Length: > 0 } token ? token : throw CairnException.InvalidParameter("No API token was given (create one with cairn tokens create).");
    }
}
