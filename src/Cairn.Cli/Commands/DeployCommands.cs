using System.CommandLine;
using System.Globalization;
using Cairn.Deployments;
using Cairn.Deployments.Management;
using Cairn.Monitoring;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn deploy create|list|status|history|ab|canary|shadow|promote|rollback|delete|serve|...</c>: parse, call the endpoint manager, print.</summary>
internal static class DeployCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("deploy", "Endpoints: several model versions behind one address, with A/B tests, canary rollouts, shadow traffic and replicas.");
        command.Subcommands.Add(CreateEndpoint(stdout));
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Status(stdout));
        command.Subcommands.Add(History(stdout));
        command.Subcommands.Add(Ab(stdout));
        command.Subcommands.Add(Canary(stdout));
        command.Subcommands.Add(Shadow(stdout));
        command.Subcommands.Add(Promote(stdout));
        command.Subcommands.Add(Rollback(stdout));
        command.Subcommands.Add(Delete(stdout));
        command.Subcommands.Add(DeployServeCommand.Create(stdout, stderr));
        foreach (var report in DeployReportCommands.Create(stdout)) command.Subcommands.Add(report);
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "The endpoint's name (endpoints:/NAME)." };

    private static EndpointManager Manager(CairnClient client) => new(client, client.Endpoints);

    private static Command CreateEndpoint(TextWriter stdout)
    {
        var name = NameArgument();
        var model = new Option<string>("--model") { Description = "models:/NAME@ALIAS (the endpoint follows the alias: promotions move it) or models:/NAME/VERSION.", Required = true };
        var min = new Option<int>("--min-replicas") { Description = "Fewest replicas of each variant.", DefaultValueFactory = _ => 1 };
        var max = new Option<int>("--max-replicas") { Description = "Most replicas of each variant (more than min: autoscaling).", DefaultValueFactory = _ => 1 };
        var concurrency = new Option<double?>("--target-concurrency") { Description = "Requests in flight per replica above which one is added (default 8)." };
        var p99 = new Option<double?>("--scale-p99-ms") { Description = "A p99 above this adds a replica too." };
        var cooldown = new Option<int?>("--scale-cooldown") { Description = "Seconds between scaling decisions (default 30)." };
        var sticky = new Option<string?>("--sticky-by") { Description = "header:NAME (one user, one variant) or request_id; default: random." };
        var description = new Option<string?>("--description") { Description = "What the endpoint is for." };
        var create = new Command("create", "Create an endpoint serving one model version.") { name, model, min, max, concurrency, p99, cooldown, sticky, description };
        create.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var autoscaling = parse.GetValue(concurrency) is null && parse.GetValue(p99) is null && parse.GetValue(cooldown) is null ? null
                : new AutoscalingSettings(parse.GetValue(concurrency) ?? 8, parse.GetValue(p99), parse.GetValue(cooldown) ?? 30);
            var record = await Manager(client).CreateAsync(parse.GetValue(name)!, parse.GetValue(model)!, parse.GetValue(min), parse.GetValue(max),
                parse.GetValue(sticky), autoscaling, parse.GetValue(description), ct);
            var v = record.Spec.Variants[0];
            stdout.WriteLine($"Created endpoints:/{record.Name}: {v.Name} = {v.Model} (100%)" + (record.Spec.Alias is { } a ? $", following @{a}" : "")
                + $", {record.Spec.MinReplicas}-{record.Spec.MaxReplicas} replica(s). Serve it with `cairn deploy serve {record.Name} --port 8080`.");
            return 0;
        });
        return create;
    }

    private static Command List(TextWriter stdout)
    {
        var output = GlobalOptions.Output();
        var list = new Command("list", "List endpoints.") { output };
        list.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var endpoints = await client.Endpoints.ListEndpointsAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { endpoints }); return 0; }
            if (endpoints.Count == 0)
            {
                stdout.WriteLine("No endpoints: create one with `cairn deploy create NAME --model models:/NAME@ALIAS`.");
                return 0;
            }
            var table = new Table().AddColumns("Name", "Variants", "Rollout", "Replicas", "Revision", "Updated");
            foreach (var e in endpoints)
                table.AddRow(Output.Escape(e.Name), Output.Escape(Variants(e.Spec)), Output.Escape(Rollout(e.Spec)), $"{e.Spec.MinReplicas}-{e.Spec.MaxReplicas}",
                    e.Revision.ToString(CultureInfo.InvariantCulture), Output.Time(e.UpdateTime));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return list;
    }

    internal static string Variants(EndpointSpec spec) =>
        string.Join(", ", spec.Variants.Select(v => v.Role == VariantRoles.Shadow ? $"{v.Name}={v.Model} (shadow {spec.Shadow?.Percent}%)" : $"{v.Name}={v.Model} ({v.Weight}%)"));

    internal static string Rollout(EndpointSpec spec)
    {
        var parts = new List<string>();
        if (spec.AbTest is { EndedAt: null } ab) parts.Add($"A/B on {ab.Metric} (control {ab.Control})");
        if (spec.Canary is { } c)
            parts.Add(c.Status == CanaryStatuses.Running ? $"canary {c.Variant} at {c.Steps[c.StepIndex]}% (step {c.StepIndex + 1} of {c.Steps.Count})"
                : $"canary {c.Variant} {c.Status.Replace('_', ' ')}" + (c.Reason is { } r ? $": {r}" : ""));
        if (spec.Shadow is { } s) parts.Add($"shadow {s.Variant} {s.Percent}%");
        return parts.Count == 0 ? "-" : string.Join("; ", parts);
    }

    private static Command Status(TextWriter stdout)
    {
        var name = NameArgument();
        var url = new Option<string?>("--url") { Description = "The endpoint's server (such as http://127.0.0.1:8080): adds live counters per variant, the canary's last analysis and the shadow comparison." };
        var output = GlobalOptions.Output();
        var status = new Command("status", "Show an endpoint: variants and weights, rollout in progress, and (with --url) live figures.") { name, url, output };
        status.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var record = await client.Endpoints.GetEndpointAsync(parse.GetValue(name)!, ct);
            var live = parse.GetValue(url) is { } u ? await LiveStatus.FetchAsync(u, ct) : null;
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { endpoint = record, live }); return 0; }
            var s = record.Spec;
            stdout.WriteLine($"endpoints:/{record.Name} (revision {record.Revision}, updated {Output.Time(record.UpdateTime)})" + (s.Alias is { } a ? $", following @{a}" : ""));
            stdout.WriteLine($"  variants: {Variants(s)}");
            stdout.WriteLine($"  rollout:  {Rollout(s)}");
            stdout.WriteLine($"  replicas: {s.MinReplicas}-{s.MaxReplicas}" + (s.StickyBy is { } sticky ? $"; sticky by {sticky}" : ""));
            if (s.Canary is { } c) stdout.WriteLine($"  canary:   steps {string.Join(",", c.Steps)} every {c.IntervalSeconds} s; {EndpointManager.Limits(c)}");
            if (live is not null) LiveStatus.Print(stdout, live);
            return 0;
        });
        return status;
    }

    private static Command History(TextWriter stdout)
    {
        var name = NameArgument();
        var max = new Option<int>("--max-results") { Description = "Most events shown, newest first.", DefaultValueFactory = _ => 50 };
        var output = GlobalOptions.Output();
        var history = new Command("history", "An endpoint's history: creation, weight changes, A/B tests, canary steps and rollbacks, promotions.") { name, max, output };
        history.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var events = await client.Endpoints.ListEndpointEventsAsync(parse.GetValue(name)!, parse.GetValue(max), ct);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { events }); return 0; }
            var table = new Table().AddColumns("Time", "Revision", "Event", "By", "What");
            foreach (var e in events)
                table.AddRow(Output.Time(e.Time), e.Revision.ToString(CultureInfo.InvariantCulture), Output.Escape(e.Kind), Output.Escape(e.Actor), Output.Escape(e.Message));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return history;
    }

    private static Command Ab(TextWriter stdout)
    {
        var name = NameArgument();
        var variants = new Option<string[]>("--variant") { Description = "NAME=models:/MODEL/VERSION (repeatable; the first is the control).", Required = true };
        var split = new Option<string>("--split") { Description = "Weights in percent, one per variant, summing to 100: 50/50, 90/10.", Required = true };
        var sticky = new Option<string?>("--sticky-by") { Description = "header:NAME (such as header:X-User-Id: one user, one variant) or request_id." };
        var metric = new Option<string>("--metric") { Description = "The outcome's name, sent as feedback labels keyed by request id (POST /api/2.0/cairn/feedback).", Required = true };
        var kind = new Option<string>("--kind") { Description = "proportion (0/1 outcomes, e.g. conversion) or mean (any number, e.g. revenue).", DefaultValueFactory = _ => AbMetricKinds.Proportion };
        var alpha = new Option<double>("--alpha") { Description = "Significance level.", DefaultValueFactory = _ => 0.05 };
        var mde = new Option<double?>("--mde") { Description = "Smallest relative lift worth detecting (0.05 = 5%): the report states the samples it needs." };
        var ab = new Command("ab", "Start an A/B test: split traffic between model versions and compare an outcome.") { name, variants, split, sticky, metric, kind, alpha, mde };
        ab.SetAction(async (parse, ct) =>
        {
            var pairs = (parse.GetValue(variants) ?? []).Select(text =>
            {
                var eq = text.IndexOf('=');
                return eq > 0 ? (text[..eq].Trim(), text[(eq + 1)..].Trim())
                    : throw CairnException.InvalidParameter($"Invalid --variant '{text}': write NAME=models:/MODEL/VERSION, such as a=models:/delay/4.");
            }).ToList();
            using var client = GlobalOptions.OpenClient(parse);
            var record = await Manager(client).StartAbTestAsync(parse.GetValue(name)!, pairs, Split(parse.GetValue(split)!), parse.GetValue(metric)!, parse.GetValue(kind)!,
                parse.GetValue(sticky), parse.GetValue(alpha), parse.GetValue(mde), ct: ct);
            stdout.WriteLine($"A/B test on endpoints:/{record.Name} (revision {record.Revision}): {Variants(record.Spec)}" + (record.Spec.StickyBy is { } s ? $", sticky by {s}" : ", assigned at random")
                + $". Send outcomes to POST /api/2.0/cairn/feedback keyed by request id; read them with `cairn deploy ab-report {record.Name}`.");
            return 0;
        });
        return ab;
    }

    /// <summary>"50/50" or "90,10" → [50, 50].</summary>
    internal static IReadOnlyList<int> Split(string text)
    {
        var parts = text.Split(['/', ','], StringSplitOptions.TrimEntries);
        var weights = new List<int>();
        foreach (var part in parts)
            weights.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w
                : throw CairnException.InvalidParameter($"Invalid split '{text}': write whole percents separated by '/', such as 50/50 or 90/10."));
        return weights;
    }

    private static Command Canary(TextWriter stdout)
    {
        var name = NameArgument();
        var model = new Option<string>("--model") { Description = "The new version: models:/NAME/VERSION or models:/NAME@ALIAS.", Required = true };
        var steps = new Option<string>("--steps") { Description = "Canary weights in percent, increasing, ending at 100.", DefaultValueFactory = _ => "5,25,50,100" };
        var interval = new Option<string>("--interval") { Description = "Time per step: 30s, 2m, 1h.", DefaultValueFactory = _ => "2m" };
        var errors = new Option<double?>("--max-error-rate") { Description = "Roll back when the canary's share of 5xx answers exceeds this (0.01 = 1%)." };
        var p99 = new Option<double?>("--max-p99-ms") { Description = "Roll back when the canary's p99 latency exceeds this many milliseconds." };
        var psi = new Option<double?>("--max-prediction-psi") { Description = "Roll back when the canary's predictions shift from the baseline's by more than this PSI (0.2 is a common limit)." };
        var minRequests = new Option<int>("--min-requests") { Description = "Canary requests a step needs before it is judged.", DefaultValueFactory = _ => 20 };
        var variant = new Option<string?>("--variant") { Description = "The canary variant's name (default vVERSION)." };
        var baseline = new Option<string?>("--baseline") { Description = "The variant it is compared with and rolls back to (default: the endpoint's one live variant)." };
        var gate = new Option<string?>("--gate") { Description = "A promotion gate checked when the last step moves the alias (as `cairn models promote --require`)." };
        var canary = new Command("canary", "Roll out a new version step by step, rolling back automatically when its live metrics fail.")
            { name, model, steps, interval, errors, p99, psi, minRequests, variant, baseline, gate };
        canary.SetAction(async (parse, ct) =>
        {
            var every = MonitorDuration.Parse(parse.GetValue(interval)!, "interval");
            using var client = GlobalOptions.OpenClient(parse);
            var record = await Manager(client).StartCanaryAsync(parse.GetValue(name)!, parse.GetValue(model)!, Split(parse.GetValue(steps)!), every,
                parse.GetValue(errors), parse.GetValue(p99), parse.GetValue(psi), parse.GetValue(variant), parse.GetValue(baseline), parse.GetValue(minRequests), parse.GetValue(gate), ct);
            var c = record.Spec.Canary!;
            stdout.WriteLine($"Canary {c.Variant} on endpoints:/{record.Name} at {c.Steps[0]}% against {c.Baseline}: steps {string.Join(",", c.Steps)} every {c.IntervalSeconds} s; {EndpointManager.Limits(c)}. "
                + $"The server serving the endpoint drives it; follow it with `cairn deploy status {record.Name}` and `cairn deploy history {record.Name}`.");
            return 0;
        });
        return canary;
    }

    private static Command Shadow(TextWriter stdout)
    {
        var name = NameArgument();
        var model = new Option<string?>("--model") { Description = "The shadow version: models:/NAME/VERSION or models:/NAME@ALIAS." };
        var percent = new Option<int>("--percent") { Description = "Share of requests copied to the shadow.", DefaultValueFactory = _ => 100 };
        var variant = new Option<string?>("--variant") { Description = "The shadow variant's name (default shadow-vVERSION)." };
        var stop = new Option<bool>("--stop") { Description = "Stop the shadow." };
        var shadow = new Command("shadow", "Copy live traffic to another version, after each response: compare its predictions without changing any answer.") { name, model, percent, variant, stop };
        shadow.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var manager = Manager(client);
            if (parse.GetValue(stop))
            {
                var stopped = await manager.StopShadowAsync(parse.GetValue(name)!, ct);
                stdout.WriteLine($"Shadow stopped on endpoints:/{stopped.Name} (revision {stopped.Revision}).");
                return 0;
            }
            var uri = parse.GetValue(model) ?? throw CairnException.InvalidParameter("Give the shadow's model: --model models:/NAME/VERSION (or --stop).");
            var record = await manager.StartShadowAsync(parse.GetValue(name)!, uri, parse.GetValue(percent), parse.GetValue(variant), ct);
            stdout.WriteLine($"Shadow {record.Spec.Shadow!.Variant} on endpoints:/{record.Name} gets a copy of {record.Spec.Shadow.Percent}% of requests; compare with `cairn deploy shadow-report {record.Name}`.");
            return 0;
        });
        return shadow;
    }

    private static Command Promote(TextWriter stdout)
    {
        var name = NameArgument();
        var variant = new Argument<string?>("variant") { Description = "The variant that takes all traffic (default: the canary, or the one live variant).", Arity = ArgumentArity.ZeroOrOne };
        var promote = new Command("promote", "Give one variant all traffic (ending an A/B test or a canary); the alias the endpoint follows moves to it.") { name, variant };
        promote.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var (record, alias) = await Manager(client).PromoteAsync(parse.GetValue(name)!, parse.GetValue(variant), ct);
            stdout.WriteLine($"endpoints:/{record.Name} (revision {record.Revision}): {Variants(record.Spec)}" + alias switch
            {
                null => ".",
                { Outcome: Cairn.Models.PromotionOutcome.Promoted } => $"; @{alias.Alias} -> version {alias.Version}.",
                { Outcome: Cairn.Models.PromotionOutcome.AwaitingApproval } => $"; @{alias.Alias} did not move: it is a protected alias, another user approves with `cairn models approve`.",
                _ => $"; @{alias.Alias} did not move: the promotion gate failed, approve with `cairn models approve`.",
            });
            return 0;
        });
        return promote;
    }

    private static Command Rollback(TextWriter stdout)
    {
        var name = NameArgument();
        var reason = new Option<string?>("--reason") { Description = "Why, for the history." };
        var rollback = new Command("rollback", "Roll back a canary in progress, or return to the variants before the last promotion or A/B test.") { name, reason };
        rollback.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var record = await Manager(client).RollBackAsync(parse.GetValue(name)!, parse.GetValue(reason), ct);
            stdout.WriteLine($"endpoints:/{record.Name} rolled back (revision {record.Revision}): {Variants(record.Spec)}.");
            return 0;
        });
        return rollback;
    }

    private static Command Delete(TextWriter stdout)
    {
        var name = NameArgument();
        var delete = new Command("delete", "Delete an endpoint (its history stays).") { name };
        delete.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            await Manager(client).DeleteAsync(parse.GetValue(name)!, ct);
            stdout.WriteLine($"Deleted endpoints:/{parse.GetValue(name)}.");
            return 0;
        });
        return delete;
    }
}
