using System.CommandLine;
using Cairn.Pipelines;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn pipeline schedule|trigger|fires</c>: parse, call the schedule store, print. The server runs them.</summary>
internal static class PipelineScheduleCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout) => [Schedule(stdout), Trigger(stdout), Fires(stdout)];

    private static Argument<string> NameArgument(string what) => new("name") { Description = $"The {what}'s name." };

    private static Argument<string> FileArgument() => new("file") { Description = "The pipeline file (made absolute; the server runs it from its folder)." };

    private static Option<string[]> ParamOption() => new("--param", "-p") { Description = "A parameter value, name=value (repeatable)." };

    private static Command Schedule(TextWriter stdout)
    {
        var command = new Command("schedule", "Run a pipeline on a cron schedule (in `cairn server`).");
        {
            var name = NameArgument("schedule");
            var file = FileArgument();
            var cron = new Option<string>("--cron") { Description = "Cron: minute hour day month weekday (\"0 3 * * *\"), or six fields with seconds first.", Required = true };
            var zone = new Option<string>("--time-zone") { Description = "IANA time zone the cron is read in.", DefaultValueFactory = _ => "UTC" };
            var parameters = ParamOption();
            var disabled = new Option<bool>("--disabled") { Description = "Create it disabled." };
            var add = new Command("add", "Add a schedule.") { name, file, cron, zone, parameters, disabled };
            add.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                var s = await client.Schedules.CreateScheduleAsync(new NewPipelineSchedule(parse.GetValue(name)!, Path.GetFullPath(parse.GetValue(file)!),
                    parse.GetValue(cron)!, parse.GetValue(zone)!, PipelineCommands.ParseParameters(parse.GetValue(parameters) ?? []), !parse.GetValue(disabled)), ct);
                var next = CronSchedule.Parse(s.Cron, s.TimeZone).NextAfter(client.Time.GetUtcNow());
                stdout.WriteLine($"Schedule '{s.Name}': {s.PipelineFile} at \"{s.Cron}\" ({s.TimeZone}){(s.Enabled ? "" : ", disabled")}; next {Next(next, s.TimeZone)}.");
                return 0;
            });
            command.Subcommands.Add(add);
        }
        {
            var output = GlobalOptions.Output();
            var list = new Command("list", "List schedules with their next fire time.") { output };
            list.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                var schedules = await client.Schedules.ListSchedulesAsync(ct);
                if (parse.GetValue(output) == OutputFormat.Json)
                {
                    Output.Json(stdout, new { schedules });
                    return 0;
                }
                if (schedules.Count == 0)
                {
                    stdout.WriteLine("No schedules: add one with `cairn pipeline schedule add NAME FILE --cron \"0 3 * * *\"`.");
                    return 0;
                }
                var now = client.Time.GetUtcNow();
                var table = new Table().AddColumns("Name", "Cron", "Time zone", "Enabled", "Next", "Pipeline", "Parameters");
                foreach (var s in schedules)
                    table.AddRow(Output.Escape(s.Name), Output.Escape(s.Cron), Output.Escape(s.TimeZone), s.Enabled ? "yes" : "no",
                        s.Enabled ? Next(CronSchedule.Parse(s.Cron, s.TimeZone).NextAfter(now), s.TimeZone) : "", Output.Escape(s.PipelineFile), Output.Escape(Parameters(s.Parameters)));
                Output.Console(stdout).Write(table);
                return 0;
            });
            command.Subcommands.Add(list);
        }
        {
            var name = NameArgument("schedule");
            var remove = new Command("remove", "Remove a schedule (its fires stay in the log).") { name };
            remove.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                await client.Schedules.DeleteScheduleAsync(parse.GetValue(name)!, ct);
                stdout.WriteLine($"Removed schedule '{parse.GetValue(name)}'.");
                return 0;
            });
            command.Subcommands.Add(remove);
        }
        foreach (var enable in new[] { true, false })
        {
            var name = NameArgument("schedule");
            var toggle = new Command(enable ? "enable" : "disable", enable
                ? "Enable a schedule: it fires from its next occurrence (what it missed while disabled does not fire)."
                : "Disable a schedule.") { name };
            toggle.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                var s = await client.Schedules.SetScheduleEnabledAsync(parse.GetValue(name)!, enable, ct);
                stdout.WriteLine($"Schedule '{s.Name}' {(s.Enabled ? "enabled" : "disabled")}.");
                return 0;
            });
            command.Subcommands.Add(toggle);
        }
        return command;
    }

    private static Command Trigger(TextWriter stdout)
    {
        var command = new Command("trigger", "Run a pipeline when a dataset gets a new version or an alert fires (in `cairn server`).");
        {
            var name = NameArgument("trigger");
            var file = FileArgument();
            var onDataset = new Option<string?>("--on-dataset") { Description = "Fire on each new version of this dataset." };
            var paramName = new Option<string?>("--param-name") { Description = "The parameter that receives the version, data:/NAME@N (default: data)." };
            var onAlert = new Option<string?>("--on-alert") { Description = "Fire when this alert (Alertmanager alertname) fires; labels the pipeline declares become parameters." };
            var parameters = ParamOption();
            var add = new Command("add", "Add a trigger.") { name, file, onDataset, paramName, onAlert, parameters };
            add.SetAction(async (parse, ct) =>
            {
                var dataset = parse.GetValue(onDataset);
                var alert = parse.GetValue(onAlert);
                if ((dataset is null) == (alert is null))
                    throw CairnException.InvalidParameter("Give exactly one of --on-dataset NAME and --on-alert ALERTNAME.");
                if (alert is not null && parse.GetValue(paramName) is not null)
                    throw CairnException.InvalidParameter("--param-name goes with --on-dataset: an alert passes its labels as parameters.");
                using var client = GlobalOptions.OpenClient(parse);
                var t = await client.Schedules.CreateTriggerAsync(new NewPipelineTrigger(parse.GetValue(name)!, Path.GetFullPath(parse.GetValue(file)!),
                    dataset is not null ? TriggerEvents.Dataset : TriggerEvents.Alert, (dataset ?? alert)!, parse.GetValue(paramName),
                    PipelineCommands.ParseParameters(parse.GetValue(parameters) ?? [])), ct);
                stdout.WriteLine(t.Event == TriggerEvents.Dataset
                    ? $"Trigger '{t.Name}': {t.PipelineFile} on each new version of dataset '{t.Source}' after @{t.BaselineVersion}, as -p {t.ParameterName}=data:/{t.Source}@N."
                    : $"Trigger '{t.Name}': {t.PipelineFile} when alert '{t.Source}' fires (POST Alertmanager webhooks to /api/2.0/cairn/pipelines/alerts).");
                return 0;
            });
            command.Subcommands.Add(add);
        }
        {
            var output = GlobalOptions.Output();
            var list = new Command("list", "List triggers.") { output };
            list.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                var triggers = await client.Schedules.ListTriggersAsync(ct);
                if (parse.GetValue(output) == OutputFormat.Json)
                {
                    Output.Json(stdout, new { triggers });
                    return 0;
                }
                if (triggers.Count == 0)
                {
                    stdout.WriteLine("No triggers: add one with `cairn pipeline trigger add NAME FILE --on-dataset DATASET` or `--on-alert ALERTNAME`.");
                    return 0;
                }
                var table = new Table().AddColumns("Name", "On", "Source", "Enabled", "Pipeline", "Parameters");
                foreach (var t in triggers)
                    table.AddRow(Output.Escape(t.Name), t.Event, Output.Escape(t.Source), t.Enabled ? "yes" : "no", Output.Escape(t.PipelineFile), Output.Escape(Parameters(t.Parameters)));
                Output.Console(stdout).Write(table);
                return 0;
            });
            command.Subcommands.Add(list);
        }
        {
            var name = NameArgument("trigger");
            var remove = new Command("remove", "Remove a trigger (its fires stay in the log).") { name };
            remove.SetAction(async (parse, ct) =>
            {
                using var client = GlobalOptions.OpenClient(parse);
                await client.Schedules.DeleteTriggerAsync(parse.GetValue(name)!, ct);
                stdout.WriteLine($"Removed trigger '{parse.GetValue(name)}'.");
                return 0;
            });
            command.Subcommands.Add(remove);
        }
        return command;
    }

    private static Command Fires(TextWriter stdout)
    {
        var source = new Option<string?>("--source") { Description = "Only the fires of this schedule or trigger." };
        var max = new Option<int>("--max") { Description = "At most this many fires, newest first.", DefaultValueFactory = _ => 50 };
        var output = GlobalOptions.Output();
        var command = new Command("fires", "The fire log: which schedule or trigger started which pipeline run, when, and how it ended.") { source, max, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var fires = await client.Schedules.ListFiresAsync(parse.GetValue(source), parse.GetValue(max), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { fires });
                return 0;
            }
            if (fires.Count == 0)
            {
                stdout.WriteLine("No fires yet.");
                return 0;
            }
            var table = new Table().AddColumns("Fired", "Source", "Key", "Status", "Run", "Server", "Error");
            foreach (var f in fires)
                table.AddRow(Output.Time(f.FireTime), Output.Escape($"{f.SourceKind} {f.SourceName}"), Output.Escape(f.FireKey), f.Status,
                    f.PipelineRunId ?? "", Output.Escape(f.Owner), Output.Escape(f.Error));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static string Next(DateTimeOffset? next, string zone) => next is { } n
        ? $"{TimeZoneInfo.ConvertTime(n, CronSchedule.ParseZone(zone)):yyyy-MM-dd HH:mm:ss zzz}"
        : "never";

    private static string Parameters(IReadOnlyDictionary<string, string> parameters) => string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"));
}
