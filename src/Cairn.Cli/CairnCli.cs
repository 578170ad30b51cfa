using System.CommandLine;
using Cairn.Cli.Commands;

namespace Cairn.Cli;

/// <summary>The cairn command tree. Commands parse, call the SDK and print; they hold no logic of their own.</summary>
public static class CairnCli
{
    /// <param name="terminalWidth">
    /// The width of the terminal <paramref name="stdout"/> is shown in: tables keep to it. Null: the
    /// console's width when stdout is the console and not redirected; otherwise output is piped and
    /// tables are printed in full.
    /// </param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, int? terminalWidth = null)
    {
        if ((terminalWidth ?? (stdout == Console.Out ? TerminalWriter.ConsoleWidth() : null)) is { } width)
            stdout = new TerminalWriter(stdout, width);
        var root = new RootCommand("Cairn: reproducible, deployable, observable machine learning for .NET.");
        root.Options.Add(GlobalOptions.TrackingUri);
        root.Subcommands.Add(ServerCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExperimentsCommands.Create(stdout));
        root.Subcommands.Add(RunsCommands.Create(stdout));
        root.Subcommands.Add(ArtifactsCommands.Create(stdout));
        root.Subcommands.Add(ModelsCommands.Create(stdout));
        root.Subcommands.Add(DataCommands.Create(stdout));
        root.Subcommands.Add(QualityCommands.ValidateData(stdout));
        root.Subcommands.Add(QualityCommands.TestModel(stdout));
        root.Subcommands.Add(QualityCommands.Gate(stdout));
        root.Subcommands.Add(ExplainCommands.Explain(stdout, stderr));
        root.Subcommands.Add(ServeCommand.Create(stdout));
        root.Subcommands.Add(PipelineCommands.Create(stdout, stderr));
        root.Subcommands.Add(CiCommands.Create(stdout));
        root.Subcommands.Add(MonitorCommands.Create(stdout));
        root.Subcommands.Add(FeaturesCommands.Create(stdout));
        root.Subcommands.Add(DeployCommands.Create(stdout, stderr));
        root.Subcommands.Add(UsersCommands.Users(stdout));
        root.Subcommands.Add(UsersCommands.Tokens(stdout));
        root.Subcommands.Add(UsersCommands.Permissions(stdout));
        root.Subcommands.Add(GroupsCommands.Create(stdout));
        root.Subcommands.Add(AuditCommands.Create(stdout, stderr));
        root.Subcommands.Add(LoginCommands.Login(stdout));
        root.Subcommands.Add(LoginCommands.Logout(stdout));
        root.Subcommands.Add(AdminCommands.Db(stdout));
        root.Subcommands.Add(AdminCommands.Migrate(stdout));
        // Ctrl+C and SIGTERM cancel the command's token (System.CommandLine 2.0 handles them only when this is set),
        // so a pipeline run can cancel its cluster jobs and close its run before the process ends.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
        try
        {
            if (TlsTrust.InsecureRequested())
                stderr.WriteLine($"warning: {TlsTrust.MlflowInsecureVariable} is set: server certificates are not checked, so anyone on the network path can read and change what is sent, tokens included.");
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (CairnException e)
        {
            stderr.WriteLine($"error: {Secrets.Redact(e.Message)}");
            return e.ErrorCode == ErrorCodes.ResourceDoesNotExist ? 3 : 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {Secrets.Redact(e.Message)}");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("CAIRN_DEBUG") is null)
        {
            // A bug, not a user error: one line, and how to see more.
            stderr.WriteLine($"error: unexpected failure ({e.GetBaseException().GetType().Name}): {Secrets.Redact(e.GetBaseException().Message)}. Set CAIRN_DEBUG=1 for the stack trace.");
            return 1;
        }
    }
}
