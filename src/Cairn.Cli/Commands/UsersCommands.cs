using System.CommandLine;
using Cairn.Security;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>
/// cairn users and cairn tokens: accounts in the metadata database a server signs users in against.
/// They open the database directly (the server's --backend-store-uri, or the tracking URI's
/// embedded store), as an administrator on the server's machine would; passwords are read from a
/// file or the terminal, never from the command line, where other users could see them.
/// </summary>
internal static class UsersCommands
{
    private static Option<string?> BackendStore() => new("--backend-store-uri")
    {
        Description = "The server's metadata database: postgresql://..., sqlite:///path/cairn.db or a folder (default: the tracking URI's embedded store).",
    };

    private static Option<string?> PasswordFile() => new("--password-file")
    {
        Description = "Read the password from the first line of this file ('-' for standard input); without it, it is asked for on the terminal.",
    };

    public static Command Users(TextWriter stdout)
    {
        var (store, passwordFile) = (BackendStore(), PasswordFile());
        var name = new Argument<string>("username");
        var admin = new Option<bool>("--admin") { Description = "An administrator: may do everything, including managing users and permissions." };
        var create = new Command("create", "Create a user with a password.") { name, admin, passwordFile, store };
        create.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            var user = await new AccountService(metadata.Identity).CreateUserAsync(parse.GetValue(name)!, ReadPassword(parse.GetValue(passwordFile), confirm: true), parse.GetValue(admin), ct);
            stdout.WriteLine($"Created user {user.Username}{(user.IsAdmin ? " (admin)" : "")}.");
            return 0;
        });

        var output = GlobalOptions.Output();
        var list = new Command("list", "List the users.") { store, output };
        list.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            var users = await metadata.Identity.ListUsersAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { users });
                return 0;
            }
            var table = new Table().AddColumns("username", "admin", "groups", "created");
            foreach (var u in users) table.AddRow(Output.Escape(u.Username), u.IsAdmin ? "yes" : "", Output.Escape(string.Join(", ", u.Groups)), Output.Time(u.CreationTime));
            Output.Console(stdout).Write(table);
            return 0;
        });

        var deleted = new Argument<string>("username");
        var delete = new Command("delete", "Delete a user with their tokens, group memberships and permissions.") { deleted, store };
        delete.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            await metadata.Identity.DeleteUserAsync(parse.GetValue(deleted)!, ct);
            stdout.WriteLine($"Deleted user {parse.GetValue(deleted)}.");
            return 0;
        });

        var renamed = new Argument<string>("username");
        var passwd = new Command("passwd", "Set a user's password.") { renamed, passwordFile, store };
        passwd.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            await new AccountService(metadata.Identity).ChangePasswordAsync(parse.GetValue(renamed)!, ReadPassword(parse.GetValue(passwordFile), confirm: true), ct);
            stdout.WriteLine($"Changed the password of {parse.GetValue(renamed)}.");
            return 0;
        });
        return new Command("users", "Users who sign in to a server started with --auth.") { create, list, delete, passwd };
    }

    public static Command Tokens(TextWriter stdout)
    {
        var store = BackendStore();
        var user = new Option<string>("--user") { Description = "Whose token.", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for, as lists show it (such as ci or laptop).", DefaultValueFactory = _ => "token" };
        var expires = new Option<string?>("--expires") { Description = "How long it works: 90d, 12h, 30m (default: no expiry)." };
        var create = new Command("create", "Create an API token; its secret is shown once.") { user, name, expires, store };
        create.SetAction(async (parse, ct) =>
        {
            var lifetime = parse.GetValue(expires) is { } text ? Monitoring.MonitorDuration.Parse(text, "--expires") : (TimeSpan?)null;
            using var metadata = await OpenAsync(parse, store, ct);
            var (token, secret) = await new AccountService(metadata.Identity).IssueTokenAsync(parse.GetValue(user)!, parse.GetValue(name)!, lifetime, ct);
            stdout.WriteLine(secret);
            stdout.WriteLine($"Token {token.Id} for {token.Username}{(token.ExpiryTime is { } e ? $", expires {Output.Time(e)} UTC" : ", no expiry")}. "
                + "This is the only time the secret is shown: store it now (CAIRN_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN).");
            return 0;
        });

        var owner = new Option<string?>("--user") { Description = "Only this user's tokens." };
        var output = GlobalOptions.Output();
        var list = new Command("list", "List API tokens (never their secrets).") { owner, store, output };
        list.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            var tokens = await metadata.Identity.ListTokensAsync(parse.GetValue(owner), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { tokens });
                return 0;
            }
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var table = new Table().AddColumns("id", "user", "name", "created", "expires", "state");
            foreach (var t in tokens)
                table.AddRow(t.Id, Output.Escape(t.Username), Output.Escape(Output.OneLine(t.Name)), Output.Time(t.CreationTime), Output.Time(t.ExpiryTime),
                    t.RevokedTime is not null ? "revoked" : t.IsValidAt(now) ? "active" : "expired");
            Output.Console(stdout).Write(table);
            return 0;
        });

        var id = new Argument<string>("id");
        var revoke = new Command("revoke", "Revoke an API token: it stops working at once.") { id, store };
        revoke.SetAction(async (parse, ct) =>
        {
            using var metadata = await OpenAsync(parse, store, ct);
            var token = await metadata.Identity.RevokeTokenAsync(parse.GetValue(id)!, ct);
            stdout.WriteLine($"Revoked token {token.Id} of {token.Username}.");
            return 0;
        });
        return new Command("tokens", "API tokens for scripts and MLflow clients (bearer tokens).") { create, list, revoke };
    }

    private static Task<MetadataStores> OpenAsync(ParseResult parse, Option<string?> store, CancellationToken ct)
    {
        var uri = parse.GetValue(store) ?? parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable);
        if (uri is not null && TrackingUri.Parse(uri) is ServerLocation)
            throw CairnException.InvalidParameter($"Users and tokens are kept in the server's database: give --backend-store-uri (the server's own), not the server's address {uri}.");
        return StoreWiring.OpenMetadataAsync(uri, ct);
    }

    /// <summary>The password from the file's first line, or asked twice on the terminal without echo.</summary>
    private static string ReadPassword(string? file, bool confirm)
    {
        if (file is not null)
        {
            var line = (file == "-" ? Console.In.ReadLine() : File.ReadLines(file).FirstOrDefault())?.TrimEnd('\r');
            return line ?? throw CairnException.InvalidParameter($"{(file == "-" ? "Standard input" : $"'{file}'")} has no password line.");
        }
        if (Console.IsInputRedirected)
            throw CairnException.InvalidParameter("No terminal to ask for the password: give --password-file FILE (or '-' for standard input).");
        var password = Prompt("Password: ");
        if (confirm && Prompt("Again: ") != password) throw CairnException.InvalidParameter("The two passwords differ.");
        return password;
    }

    private static string Prompt(string question)
    {
        Console.Error.Write(question);
        var text = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
