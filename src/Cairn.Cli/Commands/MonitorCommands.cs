using System.CommandLine;
using System.Globalization;
using Cairn.Monitoring;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn monitor create|list|show|delete|enable|disable|alerts|runs|feedback</c>: parse, call the monitor store, print.</summary>
internal static class MonitorCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("monitor", "Watch a served model: drift, data quality and live performance over its inference log, with alerts.");
        command.Subcommands.Add(CreateMonitor(stdout));
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Show(stdout));
        command.Subcommands.Add(Delete(stdout));
        foreach (var enable in new[] { true, false }) command.Subcommands.Add(Toggle(stdout, enable));
        command.Subcommands.Add(Alerts(stdout));
        command.Subcommands.Add(Runs(stdout));
        command.Subcommands.Add(Feedback(stdout));
        foreach (var run in MonitorRunCommands.Create(stdout)) command.Subcommands.Add(run);
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The monitor's name (monitors:/NAME)." };

    private static Command CreateMonitor(TextWriter stdout)
    {
        var name = new Argument<string?>("name") { Description = "The monitor's name: letters, digits, '-', '_' and '.' (with --file: overrides the file's name).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = "A monitor YAML file (snake_case keys as in docs/monitors.md); no other options with it." };
        var model = new Option<string?>("--model") { Description = "The watched model: models:/NAME@ALIAS or models:/NAME/VERSION." };
        var reference = new Option<string?>("--reference") { Description = "data:/NAME@VERSION, features:/VIEW@VERSION[?start=..&end=..] (a feature view's offline rows), or window:-7d (a past window of the log); default: the model's training data." };
        var window = new Option<string?>("--window") { Description = "The current window, ending when the monitor runs: 30m, 1h, 1d (default 1h)." };
        var schedule = new Option<string?>("--schedule") { Description = "Cron on which `cairn server` runs the monitor (\"0 * * * *\"); default: only by hand." };
        var zone = new Option<string?>("--time-zone") { Description = "IANA time zone the schedule is read in (default UTC)." };
        var log = new Option<string?>("--inference-log") { Description = "Folder of the inference log that `cairn serve --inference-log` writes (default .cairn/inference-log)." };
        var features = new Option<string[]>("--feature") { Description = "A column to compare (repeatable); default: every input column the reference and log share.", AllowMultipleArgumentsPerToken = true };
        var rules = new Option<string[]>("--rule") { Description = "A named alert rule, \"NAME: RULE\", such as \"drift: drift_share > 0.3\" (repeatable)." };
        var alerts = new Option<string[]>("--alert") { Description = "An alert rule named after its value, such as \"drift_share > 0.3\" or \"auc < 0.7\" (repeatable)." };
        var severity = new Option<string>("--severity") { Description = "Severity of the rules given here: critical, warning or info.", DefaultValueFactory = _ => "warning" };
        var cooldown = new Option<string>("--cooldown") { Description = "How long a firing alert is not notified again (default 1h).", DefaultValueFactory = _ => "1h" };
        var webhooks = new Option<string[]>("--webhook") { Description = "Post alerts as JSON to this URL (repeatable)." };
        var alertmanagers = new Option<string[]>("--alertmanager") { Description = "Send alerts to this Alertmanager (base URL; repeatable)." };
        var slacks = new Option<string[]>("--slack") { Description = "Post alerts to this Slack incoming-webhook URL (repeatable)." };
        var retrain = new Option<string?>("--retrain-trigger") { Description = "Fire this pipeline trigger (event alert) when an alert fires: retrain on drift." };
        var description = new Option<string?>("--description") { Description = "What the monitor is for." };
        var create = new Command("create", "Create a monitor from options or a YAML file.")
        {
            name, file, model, reference, window, schedule, zone, log, features, rules, alerts, severity, cooldown, webhooks, alertmanagers, slacks, retrain, description,
        };
        create.SetAction(async (parse, ct) =>
        {
            MonitorSpec spec;
            if (parse.GetValue(file) is { } path)
            {
                var flags = new Option[] { model, reference, window, schedule, zone, log, features, rules, alerts, webhooks, alertmanagers, slacks, retrain, description };
                if (flags.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given)
                    throw CairnException.InvalidParameter($"Give either --file or options such as {given.Name}, not both: put {given.Name} in the file.");
                spec = MonitorYaml.Load(path);
                if (parse.GetValue(name) is { } overridden) spec = spec with { Name = overridden };
            }
            else
            {
                var rulesGiven = (parse.GetValue(rules) ?? []).Select(NamedRule)
                    .Concat((parse.GetValue(alerts) ?? []).Select(rule => (Name: RuleName(rule), Rule: rule)))
                    .Select(r => new AlertRuleSpec(r.Name, r.Rule, parse.GetValue(severity)!, parse.GetValue(cooldown)!)).ToList();
                var destinations = (parse.GetValue(webhooks) ?? []).Select(url => new AlertDestination(AlertDestinationTypes.Webhook, url))
                    .Concat((parse.GetValue(slacks) ?? []).Select(url => new AlertDestination(AlertDestinationTypes.Webhook, url, "slack")))
                    .Concat((parse.GetValue(alertmanagers) ?? []).Select(url => new AlertDestination(AlertDestinationTypes.Alertmanager, url)))
                    .Concat(parse.GetValue(retrain) is { } trigger ? [new AlertDestination(AlertDestinationTypes.Pipeline, Trigger: trigger)] : [])
                    .ToList();
                var featureList = parse.GetValue(features) ?? [];
                spec = new MonitorSpec(
                    parse.GetValue(name) ?? throw CairnException.InvalidParameter("Give the monitor a name: cairn monitor create NAME --model models:/NAME@ALIAS (or --file monitor.yaml)."),
                    parse.GetValue(model) ?? throw CairnException.InvalidParameter("Give the watched model: --model models:/NAME@ALIAS or models:/NAME/VERSION."),
                    parse.GetValue(reference), parse.GetValue(window) ?? "1h", parse.GetValue(schedule), parse.GetValue(zone) ?? "UTC", parse.GetValue(log),
                    featureList.Length == 0 ? null : featureList, Alerts: rulesGiven.Count == 0 ? null : rulesGiven,
                    Destinations: destinations.Count == 0 ? null : destinations, Description: parse.GetValue(description));
            }
            using var client = GlobalOptions.OpenClient(parse);
            var m = await client.Monitors.CreateMonitorAsync(spec, ct);
            stdout.WriteLine($"Monitor '{m.Name}': {m.Spec.Model} over {m.Spec.Window} windows against {m.Spec.Reference ?? "its training data"}, " +
                $"{(m.Spec.Schedule is null ? "run by hand" : $"on \"{m.Spec.Schedule}\" ({m.Spec.TimeZone})")}; {m.Spec.Alerts?.Count ?? 0} alert rule(s), {m.Spec.Destinations?.Count ?? 0} destination(s).");
            return 0;
        });
        return create;
    }

    /// <summary>"drift: drift_share > 0.3" → (drift, drift_share > 0.3).</summary>
    private static (string Name, string Rule) NamedRule(string text)
    {
        var colon = text.IndexOf(':');
        return colon > 0
            ? (text[..colon].Trim(), text[(colon + 1)..].Trim())
            : throw CairnException.InvalidParameter($"Invalid --rule '{text}': write NAME: RULE, such as \"drift: drift_share > 0.3\" (or use --alert \"drift_share > 0.3\").");
    }

    /// <summary>A rule's name from its value: drift_share, psi-Distance, missing_rate-Origin.</summary>
    private static string RuleName(string rule)
    {
        var parsed = AlertRule.Parse(rule);
        var name = parsed.Column is null ? parsed.Value : $"{parsed.Value}-{parsed.Column}";
        var cleaned = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return cleaned.Length > MonitorSpecRules.MaxNameLength ? cleaned[..MonitorSpecRules.MaxNameLength] : cleaned;
    }

    private static Command List(TextWriter stdout)
    {
        var output = GlobalOptions.Output();
        var list = new Command("list", "List monitors.") { output };
        list.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var monitors = await client.Monitors.ListMonitorsAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { monitors });
                return 0;
            }
            if (monitors.Count == 0)
            {
                stdout.WriteLine("No monitors: create one with `cairn monitor create NAME --model models:/NAME@ALIAS` or `cairn monitor create --file monitor.yaml`.");
                return 0;
            }
            var table = new Table().AddColumns("Name", "Model", "Reference", "Window", "Schedule", "Enabled", "Alerts");
            foreach (var m in monitors)
                table.AddRow(Output.Escape(m.Name), Output.Escape(m.Spec.Model), Output.Escape(m.Spec.Reference ?? "(training data)"), Output.Escape(m.Spec.Window),
                    Output.Escape(m.Spec.Schedule is null ? "" : $"{m.Spec.Schedule} ({m.Spec.TimeZone})"), m.Enabled ? "yes" : "no",
                    Output.Escape(string.Join(", ", (m.Spec.Alerts ?? []).Select(a => a.Name))));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return list;
    }

    private static Command Show(TextWriter stdout)
    {
        var name = NameArgument();
        var output = GlobalOptions.Output();
        var show = new Command("show", "Show a monitor's spec.") { name, output };
        show.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var m = await client.Monitors.GetMonitorAsync(parse.GetValue(name)!, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { monitor = m });
                return 0;
            }
            var s = m.Spec;
            stdout.WriteLine($"monitors:/{m.Name}{(m.Enabled ? "" : " (disabled)")}");
            if (s.Description is not null) stdout.WriteLine($"  description:   {s.Description}");
            stdout.WriteLine($"  model:         {s.Model}");
            stdout.WriteLine($"  reference:     {s.Reference ?? "(the model's training data)"}");
            stdout.WriteLine($"  window:        {s.Window}");
            stdout.WriteLine($"  schedule:      {(s.Schedule is null ? "(by hand)" : $"{s.Schedule} ({s.TimeZone})")}");
            stdout.WriteLine($"  inference log: {s.InferenceLog ?? "(default)"}");
            stdout.WriteLine($"  features:      {(s.Features is null ? "(all shared columns)" : string.Join(", ", s.Features))}");
            if (s.Drift is { } drift)
                stdout.WriteLine($"  drift:         method {drift.Method ?? "(by type and size)"}, threshold {(drift.Threshold is { } t ? Output.Number(t) : "(default)")}, drift share {Output.Number(drift.DriftShare)}");
            if (s.Performance is { } p)
                stdout.WriteLine($"  performance:   {p.Task}, prediction {p.Prediction ?? "(first numeric output)"}, threshold {Output.Number(p.Threshold)}");
            foreach (var a in s.Alerts ?? []) stdout.WriteLine($"  alert {a.Name}: {a.Rule} ({a.Severity}, cooldown {a.Cooldown})");
            foreach (var d in s.Destinations ?? [])
                stdout.WriteLine($"  destination:   {d.Type}{(d.Url is null ? "" : " " + d.Url)}{(d.Format is null ? "" : $" ({d.Format})")}{(d.Trigger is null ? "" : " trigger " + d.Trigger)}");
            stdout.WriteLine($"  created:       {Output.Time(m.CreationTime)}");
            return 0;
        });
        return show;
    }

    private static Command Delete(TextWriter stdout)
    {
        var name = NameArgument();
        var delete = new Command("delete", "Delete a monitor (its runs and alert history stay).") { name };
        delete.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            await client.Monitors.DeleteMonitorAsync(parse.GetValue(name)!, ct);
            stdout.WriteLine($"Deleted monitor '{parse.GetValue(name)}'.");
            return 0;
        });
        return delete;
    }

    private static Command Toggle(TextWriter stdout, bool enable)
    {
        var name = NameArgument();
        var toggle = new Command(enable ? "enable" : "disable", enable
            ? "Enable a monitor: it runs from its next scheduled window (windows missed while disabled do not run)."
            : "Disable a monitor's schedule.") { name };
        toggle.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var m = await client.Monitors.SetMonitorEnabledAsync(parse.GetValue(name)!, enable, ct);
            stdout.WriteLine($"Monitor '{m.Name}' {(m.Enabled ? "enabled" : "disabled")}.");
            return 0;
        });
        return toggle;
    }

    private static Command Alerts(TextWriter stdout)
    {
        var name = new Argument<string?>("name") { Description = "Only this monitor's alerts.", Arity = ArgumentArity.ZeroOrOne };
        var events = new Option<bool>("--events") { Description = "The history of alert changes and notifications, newest first, instead of the current states." };
        var max = new Option<int>("--max-results") { Description = "How many events at most.", DefaultValueFactory = _ => 100 };
        var output = GlobalOptions.Output();
        var alerts = new Command("alerts", "Show the current state of alerts, or their history with --events.") { name, events, max, output };
        alerts.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var json = parse.GetValue(output) == OutputFormat.Json;
            if (parse.GetValue(events))
            {
                var history = await client.Monitors.ListAlertEventsAsync(parse.GetValue(name), parse.GetValue(max), ct);
                if (json) Output.Json(stdout, new { events = history });
                else if (history.Count == 0) stdout.WriteLine("No alert events.");
                else
                {
                    var table = new Table().AddColumns("Time", "Monitor", "Alert", "State", "Severity", "Value", "Message");
                    foreach (var e in history)
                        table.AddRow(Output.Time(e.Timestamp), Output.Escape(e.MonitorName), Output.Escape(e.AlertName), e.State, e.Severity,
                            e.Value is { } v ? Output.Number(v) : "", Output.Escape(e.Message));
                    Output.Console(stdout).Write(table);
                }
                return 0;
            }
            var states = await client.Monitors.ListAlertStatesAsync(parse.GetValue(name), ct);
            if (json) Output.Json(stdout, new { alert_states = states });
            else if (states.Count == 0) stdout.WriteLine("No alerts have been evaluated yet.");
            else
            {
                var table = new Table().AddColumns("Monitor", "Alert", "State", "Severity", "Value", "Since", "Last notified", "Message");
                foreach (var s in states)
                    table.AddRow(Output.Escape(s.MonitorName), Output.Escape(s.AlertName), s.State == AlertStates.Firing ? "[red]firing[/]" : "resolved", s.Severity,
                        s.Value is { } v ? Output.Number(v) : "", Output.Time(s.Since), Output.Time(s.LastNotified), Output.Escape(s.Message));
                Output.Console(stdout).Write(table);
            }
            return 0;
        });
        return alerts;
    }

    private static Command Runs(TextWriter stdout)
    {
        var name = NameArgument();
        var max = new Option<int>("--max-results") { Description = "How many runs at most, newest window first.", DefaultValueFactory = _ => 20 };
        var output = GlobalOptions.Output();
        var runs = new Command("runs", "List a monitor's runs, newest window first.") { name, max, output };
        runs.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var list = await client.Monitors.ListMonitorRunsAsync(parse.GetValue(name), parse.GetValue(max), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { runs = list });
                return 0;
            }
            if (list.Count == 0)
            {
                stdout.WriteLine($"Monitor '{parse.GetValue(name)}' has not run yet.");
                return 0;
            }
            var table = new Table().AddColumns("Window", "Status", "Values", "Tracking run", "Error");
            foreach (var r in list)
                table.AddRow($"{Output.Time(r.WindowStart)} .. {Output.Time(r.WindowEnd)}", r.Status,
                    Output.Escape(string.Join(", ", r.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Take(6).Select(v => $"{v.Key}={Output.Number(v.Value)}"))
                        + (r.Values.Count > 6 ? $", +{r.Values.Count - 6}" : "")),
                    r.TrackingRunId ?? "", Output.Escape(r.Error));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return runs;
    }

    private static Command Feedback(TextWriter stdout)
    {
        var file = new Argument<string>("file") { Description = "A CSV file with a header: request_id,label[,row][,timestamp]." };
        var feedback = new Command("feedback", "Send ground-truth labels for logged predictions (joined by request id and row) for live performance.") { file };
        feedback.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            using var client = GlobalOptions.OpenClient(parse);
            using var reader = OpenText(path);
            var sent = 0;
            try
            {
                foreach (var batch in FeedbackCsv.ReadBatches(reader, path, client.Time.GetUtcNow().ToUnixTimeMilliseconds()))
                    sent += await client.Monitors.AddFeedbackAsync(batch, ct);
            }
            catch (CairnException e)
            {
                // Batches before a bad line are stored already: say how far it got, so a fixed file can be sent again (labels replace).
                throw new CairnException(e.ErrorCode, e.Message + (sent == 0
                    ? " No labels were stored."
                    : $" The {sent.ToString("N0", CultureInfo.InvariantCulture)} labels before it were stored."), e);
            }
            stdout.WriteLine($"Stored {sent.ToString("N0", CultureInfo.InvariantCulture)} labels from {path}.");
            return 0;
        });
        return feedback;
    }

    private static StreamReader OpenText(string path)
    {
        try
        {
            return new StreamReader(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CairnException.InvalidParameter($"Cannot read {path}: {e.Message}");
        }
    }
}
