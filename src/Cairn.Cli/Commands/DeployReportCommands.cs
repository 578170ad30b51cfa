using System.CommandLine;
using System.Globalization;
using Cairn.Deployments;
using Cairn.Deployments.Reports;
using Cairn.Tracking;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn deploy ab-report|shadow-report|export</c>: read the endpoint and its inference log, print what they say.</summary>
internal static class DeployReportCommands
{
    public static IEnumerable<Command> Create(TextWriter stdout)
    {
        yield return ShadowReportCommand(stdout);
    }

    private static Option<string> LogOption() => new("--inference-log") { Description = "Folder of the inference log the endpoint's server writes.", DefaultValueFactory = _ => Path.Combine(TrackingUri.DefaultFolder, "inference-log") };

    private static Command ShadowReportCommand(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var log = LogOption();
        var output = GlobalOptions.Output();
        var command = new Command("shadow-report", "Compare the shadow's predictions with the primary's over the same requests: agreement, differences, latency.") { name, log, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var record = await client.Endpoints.GetEndpointAsync(parse.GetValue(name)!, ct);
            var shadow = record.Spec.Shadow ?? throw CairnException.InvalidState($"Endpoint '{record.Name}' has no shadow: start one with `cairn deploy shadow {record.Name} --model models:/NAME/VERSION`.");
            var variant = record.Spec.Variants.First(v => v.Name == shadow.Variant);
            var rows = await EndpointLog.ReadAsync(parse.GetValue(log)!, record.Name, shadow.StartedAt, client.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1, ct);
            var report = ShadowReport.Compare(rows, shadow.Variant, Cairn.Registry.ModelUri.Parse(variant.Model).Version!);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, report); return 0; }
            if (report.Rows == 0)
            {
                stdout.WriteLine($"No shadowed requests of endpoints:/{record.Name} in the inference log since {Output.Time(shadow.StartedAt)} (is `cairn deploy serve` writing to {parse.GetValue(log)}?).");
                return 0;
            }
            string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
            stdout.WriteLine($"Shadow {report.Variant} (version {report.Version}) on endpoints:/{record.Name}: {report.Requests:N0} requests, {report.Rows:N0} rows compared.");
            stdout.WriteLine($"  agreement:        {F(report.Agreement, "P2")}");
            stdout.WriteLine($"  difference:       mean {F(report.MeanDifference, "G4")}, mean |d| {F(report.MeanAbsDifference, "G4")}, p50 |d| {F(report.P50AbsDifference, "G4")}, p95 |d| {F(report.P95AbsDifference, "G4")}, max |d| {F(report.MaxAbsDifference, "G4")}");
            stdout.WriteLine($"  latency (ms):     shadow p50 {F(report.ShadowP50Ms, "0.##")}, p99 {F(report.ShadowP99Ms, "0.##")}; primary p50 {F(report.PrimaryP50Ms, "0.##")}, p99 {F(report.PrimaryP99Ms, "0.##")}");
            return 0;
        });
        return command;
    }
}
