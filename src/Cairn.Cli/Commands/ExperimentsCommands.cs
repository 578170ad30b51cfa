using System.CommandLine;
using Cairn.Tracking;
using Spectre.Console;

namespace Cairn.Cli.Commands;

internal static class ExperimentsCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("experiments", "List and create experiments.");
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(CreateExperiment(stdout));
        return command;
    }

    private static Command List(TextWriter stdout)
    {
        var output = GlobalOptions.Output();
        var view = new Option<ViewType>("--view") { Description = "ActiveOnly, DeletedOnly or All.", DefaultValueFactory = _ => ViewType.ActiveOnly };
        var command = new Command("list", "List experiments.") { output, view };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var experiments = new List<Experiment>();
            string? token = null;
            do
            {
                var page = await client.Tracking.SearchExperimentsAsync(new ExperimentQuery(ViewType: parse.GetValue(view), PageToken: token), ct);
                experiments.AddRange(page.Items);
                token = page.NextPageToken;
            } while (token is not null);

            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { experiments });
                return 0;
            }
            var table = new Table().AddColumns("ID", "Name", "Stage", "Created", "Artifact location");
            foreach (var e in experiments)
                table.AddRow(Output.Escape(e.ExperimentId), Output.Escape(e.Name), e.LifecycleStage, Output.Time(e.CreationTime), Output.Escape(e.ArtifactLocation));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateExperiment(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "The new experiment's name." };
        var location = new Option<string?>("--artifact-location") { Description = "Where its runs' artifacts go, as mlflow-artifacts:/PATH inside the store's artifact folder (default: mlflow-artifacts:/<experiment id>)." };
        var output = GlobalOptions.Output();
        var command = new Command("create", "Create an experiment.") { name, location, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var id = await client.Tracking.CreateExperimentAsync(parse.GetValue(name)!, parse.GetValue(location), ct: ct);
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, new { experiment_id = id });
            else stdout.WriteLine($"Created experiment '{parse.GetValue(name)}' with id {id}.");
            return 0;
        });
        return command;
    }
}
