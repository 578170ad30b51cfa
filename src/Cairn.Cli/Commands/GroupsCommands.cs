using System.CommandLine;
using Cairn.Security;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>
/// cairn groups: who belongs to which group, in the server's database or through the server
/// (<see cref="AccountsAccess"/>; admins only there). A group exists while it has members; its
/// permissions are granted with cairn permissions grant --group.
/// </summary>
internal static class GroupsCommands
{
    public static Command Create(TextWriter stdout)
    {
        var store = AccountsAccess.BackendStore();
        var (addGroup, addUser) = (new Argument<string>("group"), new Argument<string>("username"));
        var add = new Command("add", "Add a user to a group (making the group if it has no members yet).") { addGroup, addUser, store };
        add.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            await access.Identity.AddToGroupAsync(parse.GetValue(addGroup)!, parse.GetValue(addUser)!, ct);
            stdout.WriteLine($"Added {parse.GetValue(addUser)} to group {parse.GetValue(addGroup)}.");
            return 0;
        }));

        var (removeGroup, removeUser) = (new Argument<string>("group"), new Argument<string>("username"));
        var remove = new Command("remove", "Remove a user from a group.") { removeGroup, removeUser, store };
        remove.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var (group, user) = (parse.GetValue(removeGroup)!, parse.GetValue(removeUser)!);
            if (!await access.Identity.RemoveFromGroupAsync(group, user, ct))
                throw CairnException.NotFound($"{user} is not in group {group}.");
            stdout.WriteLine($"Removed {user} from group {group}.");
            return 0;
        }));

        var listed = new Argument<string?>("group") { Arity = ArgumentArity.ZeroOrOne, Description = "Only this group's members." };
        var output = GlobalOptions.Output();
        var list = new Command("list", "List the groups and their members.") { listed, store, output };
        list.SetAction(AccountsAccess.Run(store, async (parse, access, ct) =>
        {
            var only = parse.GetValue(listed) is { } name ? IdentityRules.Group(name) : null;
            var groups = IdentityGroups.Of(await access.Identity.ListUsersAsync(ct), only);
            if (only is not null && groups.Count == 0) throw CairnException.NotFound($"Group {only} has no members.");
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { groups });
                return 0;
            }
            var table = new Table().AddColumns("group", "members");
            foreach (var g in groups) table.AddRow(Output.Escape(g.Name), Output.Escape(string.Join(", ", g.Members)));
            Output.Console(stdout).Write(table);
            return 0;
        }));
        return new Command("groups", "Groups of users, to grant permissions to many at once.") { add, remove, list };
    }
}
