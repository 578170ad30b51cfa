using System.CommandLine;
using Cairn.Security;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>
/// cairn users, tokens and permissions: the accounts a server signs users in against, in its
/// database directly or through the server itself (<see cref="AccountsAccess"/>); passwords are read
/// from a file or the terminal, never from the command line, where other users could see them.
/// </summary>
internal static class UsersCommands
{
    private static Option<string?> BackendStore() => AccountsAccess.BackendStore();

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
        create.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var user = await access.Accounts.CreateUserAsync(parse.GetValue(name)!, ReadPassword(parse.GetValue(passwordFile), confirm: true), parse.GetValue(admin), ct);
            stdout.WriteLine($"Created user {user.Username}{(user.IsAdmin ? " (admin)" : "")}.");
            return 0;
        }));

        var output = GlobalOptions.Output();
        var list = new Command("list", "List the users.") { store, output };
        list.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var users = await access.Identity.ListUsersAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { users });
                return 0;
            }
            var table = new Table().AddColumns("username", "admin", "groups", "created");
            foreach (var u in users) table.AddRow(Output.Escape(u.Username), u.IsAdmin ? "yes" : "", Output.Escape(string.Join(", ", u.Groups)), Output.Time(u.CreationTime));
            Output.Console(stdout).Write(table);
            return 0;
        }));

        var deletedUser = new Argument<string>("username");
        var delete = new Command("delete", "Delete a user with their tokens, group memberships and permissions.") { deletedUser, store };
        delete.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            await access.Identity.DeleteUserAsync(parse.GetValue(deletedUser)!, ct);
            stdout.WriteLine($"Deleted user {parse.GetValue(deletedUser)}.");
            return 0;
        }));

        var passwordOwner = new Argument<string>("username");
        var passwd = new Command("passwd", "Set a user's password.") { passwordOwner, passwordFile, store };
        passwd.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            await access.Accounts.ChangePasswordAsync(parse.GetValue(passwordOwner)!, ReadPassword(parse.GetValue(passwordFile), confirm: true), ct);
            stdout.WriteLine($"Changed the password of {parse.GetValue(passwordOwner)}.");
            return 0;
        }));
        return new Command("users", "Users who sign in to a server started with --auth.") { create, list, delete, passwd };
    }

    public static Command Tokens(TextWriter stdout)
    {
        var store = BackendStore();
        var user = new Option<string>("--user") { Description = "Whose token.", Required = true };
        var name = new Option<string>("--name") { Description = "What the token is for, as lists show it (such as ci or laptop).", DefaultValueFactory = _ => "token" };
        var expires = new Option<string?>("--expires") { Description = "How long it works: 90d, 12h, 30m (default: no expiry)." };
        var create = new Command("create", "Create an API token; its secret is shown once.") { user, name, expires, store };
        create.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var lifetime = parse.GetValue(expires) is { } text ? Monitoring.MonitorDuration.Parse(text, "--expires") : (TimeSpan?)null;
            var (token, secret) = await access.Accounts.IssueTokenAsync(parse.GetValue(user)!, parse.GetValue(name)!, lifetime, ct);
            stdout.WriteLine(secret);
            stdout.WriteLine($"Token {token.Id} for {token.Username}{(token.ExpiryTime is { } e ? $", expires {Output.Time(e)} UTC" : ", no expiry")}. "
                + "This is the only time the secret is shown: store it now (CAIRN_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN).");
            return 0;
        }));

        var owner = new Option<string?>("--user") { Description = "Only this user's tokens." };
        var output = GlobalOptions.Output();
        var list = new Command("list", "List API tokens (never their secrets).") { owner, store, output };
        list.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var tokens = await access.Identity.ListTokensAsync(parse.GetValue(owner), ct);
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
        }));

        var id = new Argument<string>("id");
        var revoke = new Command("revoke", "Revoke an API token: it stops working at once.") { id, store };
        revoke.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var token = await access.Identity.RevokeTokenAsync(parse.GetValue(id)!, ct);
            stdout.WriteLine($"Revoked token {token.Id} of {token.Username}.");
            return 0;
        }));
        return new Command("tokens", "API tokens for scripts and MLflow clients (bearer tokens).") { create, list, revoke };
    }

    public static Command Permissions(TextWriter stdout)
    {
        var store = BackendStore();
        Option<string?> Experiment() => new("--experiment") { Description = "An experiment, by id." };
        Option<string?> Model() => new("--model") { Description = "A registered model, by name." };
        Option<string?> User() => new("--user") { Description = "A user (user:NAME)." };
        Option<string?> Group() => new("--group") { Description = "A group of users (group:NAME)." };
        (string Type, string Id) Resource(ParseResult parse, Option<string?> experiment, Option<string?> model) => (parse.GetValue(experiment), parse.GetValue(model)) switch
        {
            ({ } id, null) => (ResourceTypes.Experiment, id),
            (null, { } name) => (ResourceTypes.RegisteredModel, name),
            _ => throw CairnException.InvalidParameter("Name one resource: --experiment ID or --model NAME."),
        };
        string Principal(ParseResult parse, Option<string?> user, Option<string?> group) => (parse.GetValue(user), parse.GetValue(group)) switch
        {
            ({ } name, null) => Principals.User(name),
            (null, { } name) => Principals.Group(name),
            _ => throw CairnException.InvalidParameter("Name one principal: --user NAME or --group NAME."),
        };

        var (gExperiment, gModel, gUser, gGroup) = (Experiment(), Model(), User(), Group());
        var level = new Argument<string>("permission") { Description = "READ, EDIT, MANAGE or NO_PERMISSIONS." };
        var grant = new Command("grant", "Give a user or group a permission on an experiment or registered model (replacing theirs).") { level, gExperiment, gModel, gUser, gGroup, store };
        grant.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var permission = Cairn.Security.Permissions.Parse(parse.GetValue(level));
            var (type, id) = Resource(parse, gExperiment, gModel);
            var principal = Principal(parse, gUser, gGroup);
            await access.Identity.SetPermissionAsync(new ResourcePermission(type, id, principal, permission), ct);
            stdout.WriteLine($"Granted {permission.Name()} on {type} {id} to {principal}.");
            return 0;
        }));

        var (rExperiment, rModel, rUser, rGroup) = (Experiment(), Model(), User(), Group());
        var revoke = new Command("revoke", "Remove a user's or group's own permission on a resource (the default applies again).") { rExperiment, rModel, rUser, rGroup, store };
        revoke.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var (type, id) = Resource(parse, rExperiment, rModel);
            var principal = Principal(parse, rUser, rGroup);
            if (!await access.Identity.DeletePermissionAsync(type, id, principal, ct))
                throw CairnException.NotFound($"{principal} has no permission of their own on {type} {id}.");
            stdout.WriteLine($"Revoked the permission of {principal} on {type} {id}.");
            return 0;
        }));

        var (lExperiment, lModel, lUser, lGroup) = (Experiment(), Model(), User(), Group());
        var output = GlobalOptions.Output();
        var list = new Command("list", "List permissions, filtered by resource and principal.") { lExperiment, lModel, lUser, lGroup, store, output };
        list.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var (type, id) = parse.GetValue(lExperiment) is null && parse.GetValue(lModel) is null ? ((string?)null, (string?)null) : Resource(parse, lExperiment, lModel);
            var principal = parse.GetValue(lUser) is null && parse.GetValue(lGroup) is null ? null : Principal(parse, lUser, lGroup);
            var permissions = await access.Identity.ListPermissionsAsync(type, id, principal, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { permissions = permissions.Select(p => new { resource_type = p.ResourceType, resource_id = p.ResourceId, principal = p.Principal, permission = p.Permission.Name() }) });
                return 0;
            }
            var table = new Table().AddColumns("resource", "id", "principal", "permission");
            foreach (var p in permissions) table.AddRow(p.ResourceType, Output.Escape(p.ResourceId), Output.Escape(p.Principal), p.Permission.Name());
            Output.Console(stdout).Write(table);
            return 0;
        }));
        return new Command("permissions", "Per-resource permissions (MLflow's READ, EDIT, MANAGE, NO_PERMISSIONS) for users and groups.") { grant, revoke, list };
    }

    /// <summary>The password from the file's first line, or asked twice on the terminal without echo.</summary>
    internal static string ReadPassword(string? file, bool confirm)
    {
        if (file is not null)
        {
            var line = (file == "-" ? Console.In.ReadLine() : File.ReadLines(file).FirstOrDefault())?.TrimEnd('\r');
            return line ?? throw CairnException.InvalidParameter($"{(file == "-" ? "Standard input" : $"'{file}'")} has no password line.");
        }
        if (Console.IsInputRedirected)
            throw CairnException.InvalidParameter("No terminal to ask for the password: give --password-file FILE (or '-' for standard input).");
        var password = TerminalSecret.Read("Password: ");
        if (confirm && TerminalSecret.Read("Again: ") != password) throw CairnException.InvalidParameter("The two passwords differ.");
        return password;
    }
}
