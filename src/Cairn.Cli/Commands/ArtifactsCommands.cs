using System.CommandLine;
using Cairn.Tracking;
using Spectre.Console;

namespace Cairn.Cli.Commands;

internal static class ArtifactsCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("artifacts", "List and download run artifacts.");
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Download(stdout));
        return command;
    }

    private static Command List(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "runs:/<run_id> or runs:/<run_id>/<folder>." };
        var output = GlobalOptions.Output();
        var command = new Command("list", "List a run's artifacts.") { uri, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var runUri = await client.Tracking.ResolveRunUriAsync(parse.GetValue(uri)!, ct);
            var files = await client.ListArtifactsAsync(runUri, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                var run = await client.Tracking.GetRunAsync(runUri.RunId, ct);
                Output.Json(stdout, new { root_uri = run.Info.ArtifactUri, files });
                return 0;
            }
            var table = new Table().AddColumns("Path", "Size");
            foreach (var f in files) table.AddRow(Output.Escape(f.IsDir ? f.Path + "/" : f.Path), f.FileSize?.ToString() ?? "");
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command Download(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "runs:/<run_id>/<path> of a file or folder." };
        var destination = new Option<string?>("--dest", "-d") { Description = "Where to write it (default: the current folder)." };
        var output = GlobalOptions.Output();
        var command = new Command("download", "Download a run's artifact file or folder.") { uri, destination, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var runUri = await client.Tracking.ResolveRunUriAsync(parse.GetValue(uri)!, ct);
            var dest = parse.GetValue(destination) ?? Directory.GetCurrentDirectory();
            var written = await client.DownloadArtifactsAsync(runUri, dest, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { source = runUri.ToString(), files = written.Select(Path.GetFullPath) });
                return 0;
            }
            foreach (var file in written) stdout.WriteLine(file);
            if (written.Count == 0) stdout.WriteLine($"{runUri} has no artifacts.");
            return 0;
        });
        return command;
    }
}
