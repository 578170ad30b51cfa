using System.CommandLine;
using Cairn.Tracking;
using Spectre.Console;

namespace Cairn.Cli.Commands;

internal static class RunsCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("runs", "List, search, show and compare runs.");
        command.Subcommands.Add(Search(stdout, "list", "List the runs of an experiment, newest first."));
        command.Subcommands.Add(Search(stdout, "search", "Search runs with MLflow's filter syntax, e.g. --filter \"metrics.auc > 0.8 and params.model = 'lgbm'\"."));
        command.Subcommands.Add(Show(stdout));
        command.Subcommands.Add(Compare(stdout));
        return command;
    }

    private static Command Search(TextWriter stdout, string name, string description)
    {
        var experiment = new Option<string[]>("--experiment", "-e") { Description = "Experiment name or id (repeatable). Defaults to all active experiments.", AllowMultipleArgumentsPerToken = true };
        var filter = new Option<string?>("--filter", "-f") { Description = "Filter, e.g. \"metrics.auc > 0.8 and params.model = 'lgbm' and attributes.status = 'FINISHED'\"." };
        var orderBy = new Option<string[]>("--order-by") { Description = "Order, e.g. \"metrics.auc DESC\" (repeatable).", AllowMultipleArgumentsPerToken = true };
        var max = new Option<int>("--max-results", "-n") { Description = "Runs per page.", DefaultValueFactory = _ => 100 };
        var token = new Option<string?>("--page-token") { Description = "The next_page_token of a previous page." };
        var view = new Option<ViewType>("--view") { Description = "ActiveOnly, DeletedOnly or All.", DefaultValueFactory = _ => ViewType.ActiveOnly };
        var columns = new Option<string?>("--columns", "-c") { Description = "Columns to show, e.g. \"id,name,auc,params.trainer\" (default: as many as the terminal fits)." };
        var idsOnly = new Option<bool>("--ids-only") { Description = "Print only the run ids, one a line, for scripts: run=$(cairn runs list -e delay -n 1 --ids-only)." };
        var output = GlobalOptions.Output();
        var command = new Command(name, description) { experiment, filter, orderBy, max, token, view, columns, idsOnly, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var experiments = await ResolveExperiments(client, parse.GetValue(experiment) ?? [], ct);
            var page = await client.Tracking.SearchRunsAsync(new RunQuery(
                experiments.Select(e => e.ExperimentId).ToList(), parse.GetValue(filter), parse.GetValue(view),
                parse.GetValue(max), parse.GetValue(orderBy), parse.GetValue(token)), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { runs = page.Items, next_page_token = page.NextPageToken });
                return 0;
            }
            if (parse.GetValue(idsOnly))
            {
                foreach (var run in page.Items) stdout.WriteLine(run.Info.RunId);
                return 0;
            }
            var (table, hidden) = new RunsTable(page.Items, experiments.ToDictionary(e => e.ExperimentId, e => e.Name), Output.TerminalWidth(stdout))
                .Build(parse.GetValue(columns)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), parse.GetValue(filter), parse.GetValue(orderBy));
            var console = Output.Console(stdout);
            console.Write(table);
            console.WriteLine($"{page.Items.Count} run(s)");
            if (hidden.Count > 0)
                stdout.WriteLine($"{hidden.Count} more column(s) did not fit ({string.Join(", ", hidden.Take(3))}{(hidden.Count > 3 ? $" and {hidden.Count - 3} more" : "")}): " +
                    "choose with --columns, or see all with --output json.");
            if (page.NextPageToken is not null)
                stdout.WriteLine($"More runs: add --page-token {page.NextPageToken}");
            return 0;
        });
        return command;
    }

    private static async Task<List<Experiment>> ResolveExperiments(CairnClient client, string[] names, CancellationToken ct)
    {
        if (names.Length == 0)
            return (await client.Tracking.SearchExperimentsAsync(new ExperimentQuery(MaxResults: ExperimentQuery.MaxMaxResults), ct)).Items.ToList();
        var result = new List<Experiment>();
        foreach (var name in names)
        {
            var byName = await client.Tracking.GetExperimentByNameAsync(name, ct);
            if (byName is not null) { result.Add(byName); continue; }
            if (long.TryParse(name, out _))
            {
                result.Add(await client.Tracking.GetExperimentAsync(name, ct));
                continue;
            }
            throw CairnException.NotFound($"No experiment named '{name}'. List them with: cairn experiments list");
        }
        return result;
    }

    private static Command Show(TextWriter stdout)
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id, or a unique prefix of it (at least 4 characters)." };
        var output = GlobalOptions.Output();
        var command = new Command("show", "Show a run: info, params, metrics and tags.") { runId, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var run = await client.Tracking.GetRunAsync(await client.Tracking.ResolveRunIdAsync(parse.GetValue(runId)!, ct), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { run });
                return 0;
            }
            var experiment = await client.Tracking.GetExperimentAsync(run.Info.ExperimentId, ct);
            var parentId = MlflowTags.ParentOf(run);
            var (children, moreChildren) = await ChildRuns.ListAsync(client.Tracking, run, ct);
            var console = Output.Console(stdout);
            var info = new Table().HideHeaders().AddColumns("", "");
            info.AddRow("Run ID", run.Info.RunId);
            info.AddRow("Name", Output.Escape(run.Info.RunName));
            info.AddRow("Experiment", $"{Output.Escape(experiment.Name)} ({run.Info.ExperimentId})");
            if (parentId is not null) info.AddRow("Parent run", Output.Escape(parentId));
            info.AddRow("Status", run.Info.Status.ToString().ToUpperInvariant());
            info.AddRow("Started", Output.Time(run.Info.StartTime));
            info.AddRow("Ended", Output.Time(run.Info.EndTime));
            info.AddRow("Artifacts", Output.Escape(run.Info.ArtifactUri));
            console.Write(info);
            if (children.Count > 0)
            {
                var childTable = new Table().Title(moreChildren ? $"Child runs (the first {children.Count})" : "Child runs").AddColumns("Run", "Name", "Status");
                foreach (var child in children)
                    childTable.AddRow(child.Info.RunId, Output.Escape(child.Info.RunName), child.Info.Status.ToString().ToUpperInvariant());
                console.Write(childTable);
            }
            if (run.Inputs?.DatasetInputs is { Count: > 0 } inputs)
            {
                var inputTable = new Table().Title("Dataset inputs").AddColumns("Name", "Digest", "Context", "Source");
                foreach (var input in inputs)
                    inputTable.AddRow(Output.Escape(input.Dataset.Name), Output.Escape(Output.ShortDigest(input.Dataset.Digest)),
                        Output.Escape(input.Context ?? ""), Output.Escape(input.Dataset.Source));
                console.Write(inputTable);
            }
            console.Write(KeyValues("Params", run.Data.Params.OrderBy(p => p.Key).Select(p => (p.Key, p.Value))));
            console.Write(KeyValues("Metrics (latest)", run.Data.Metrics.OrderBy(m => m.Key).Select(m => (m.Key, $"{Output.Number(m.Value)} (step {m.Step})"))));
            console.Write(KeyValues("Tags", run.Data.Tags.OrderBy(t => t.Key).Select(t => (t.Key, t.Value))));
            return 0;
        });
        return command;
    }

    private static Command Compare(TextWriter stdout)
    {
        var runIds = new Argument<string[]>("run-ids") { Description = "Two or more run ids (or unique prefixes).", Arity = new ArgumentArity(2, 50) };
        var output = GlobalOptions.Output();
        var command = new Command("compare", "Compare runs side by side; rows that differ are highlighted.") { runIds, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var runs = new List<Run>();
            foreach (var id in parse.GetValue(runIds)!) runs.Add(await client.Tracking.GetRunAsync(await client.Tracking.ResolveRunIdAsync(id, ct), ct));
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { runs });
                return 0;
            }
            var table = new Table().AddColumn("");
            foreach (var run in runs) table.AddColumn($"{Output.Escape(run.Info.RunName)}\n{run.Info.RunId[..8]}");
            AddRows(table, "params", runs.SelectMany(r => r.Data.Params.Select(p => p.Key)).Distinct().Order(),
                (run, key) => run.Data.Params.FirstOrDefault(p => p.Key == key)?.Value, runs);
            AddRows(table, "metrics", runs.SelectMany(r => r.Data.Metrics.Select(m => m.Key)).Distinct().Order(),
                (run, key) => run.Data.Metrics.FirstOrDefault(m => m.Key == key) is { } m ? Output.Number(m.Value) : null, runs);
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static void AddRows(Table table, string kind, IEnumerable<string> keys, Func<Run, string, string?> value, List<Run> runs)
    {
        foreach (var key in keys)
        {
            var values = runs.Select(r => value(r, key)).ToList();
            var differs = values.Distinct().Count() > 1;
            var label = $"{kind}.{Output.Escape(key)}";
            table.AddRow(values.Select(v => differs ? $"[yellow]{Output.Escape(v ?? "-")}[/]" : Output.Escape(v ?? "-"))
                .Prepend(differs ? $"[bold]{label}[/]" : label).ToArray());
        }
    }

    private static Table KeyValues(string title, IEnumerable<(string Key, string Value)> rows)
    {
        var table = new Table().Title(title).AddColumns("Key", "Value");
        foreach (var (key, value) in rows) table.AddRow(Output.Escape(key), Output.Escape(value));
        return table;
    }
}
