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
        yield return AbReportCommand(stdout);
        yield return ShadowReportCommand(stdout);
        yield return ExportCommand(stdout);
    }

    private static Command AbReportCommand(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var log = LogOption();
        var output = GlobalOptions.Output();
        var command = new Command("ab-report", "The A/B test's result per variant: samples, rate or mean, lift with its interval, p-values (fixed-horizon and always-valid), sample ratio check, verdict.") { name, log, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var record = await client.Endpoints.GetEndpointAsync(parse.GetValue(name)!, ct);
            var ab = record.Spec.AbTest ?? throw CairnException.InvalidState($"Endpoint '{record.Name}' has no A/B test: start one with `cairn deploy ab {record.Name} --variant a=models:/M/1 --variant b=models:/M/2 --split 50/50 --metric conversion`.");
            // The weights of the test are its variants' (kept in Previous once the test has ended by a promotion).
            var variants = ab.EndedAt is null ? record.Spec.Variants.Where(v => v.Role == VariantRoles.Live).ToList() : (record.Spec.Previous ?? record.Spec.Variants).ToList();
            var end = ab.EndedAt ?? client.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1;
            var rows = await EndpointLog.ReadAsync(parse.GetValue(log)!, record.Name, Math.Max(ab.StartedAt, record.CreationTime), end, ct);
            var outcomes = await AbOutcomes.CollectAsync(rows, [.. variants.Select(v => v.Name)], client.Monitors, ct);
            var report = Cairn.Deployments.Experiments.AbAnalysis.Analyze(ab, outcomes, variants.ToDictionary(v => v.Name, v => v.Weight));
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, report); return 0; }
            stdout.WriteLine($"A/B test on endpoints:/{record.Name} since {Output.Time(ab.StartedAt)}" + (ab.EndedAt is { } e ? $", ended {Output.Time(e)}" : "") + ":");
            stdout.Write(Cairn.Deployments.Experiments.AbAnalysis.ToText(report));
            return 0;
        });
        return command;
    }

    private static Command ExportCommand(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "The endpoint's name." };
        var target = new Option<string>("--target") { Description = "kubernetes, kserve, sagemaker, vertex or azureml.", Required = true };
        var outFolder = new Option<string?>("--out") { Description = "Folder the files are written to (created); default: printed." };
        var image = new Option<string>("--image-repository") { Description = "Repository of the images `cairn models build-image` made, tagged MODEL-VERSION.", DefaultValueFactory = _ => new Cairn.Deployments.Export.ExportOptions().ImageRepository };
        var ns = new Option<string?>("--namespace") { Description = "Kubernetes / KServe namespace." };
        var instance = new Option<string?>("--instance-type") { Description = "Instance or machine type (ml.m5.large, n1-standard-4, Standard_DS3_v2)." };
        var region = new Option<string?>("--region") { Description = "Cloud region (Vertex AI, SageMaker)." };
        var project = new Option<string?>("--project") { Description = "Google Cloud project (Vertex AI)." };
        var role = new Option<string?>("--execution-role-arn") { Description = "IAM role SageMaker runs the model with." };
        var port = new Option<int>("--port") { Description = "Port the container listens on.", DefaultValueFactory = _ => 8080 };
        var command = new Command("export", "Write what Kubernetes, KServe, SageMaker, Vertex AI or Azure ML need to run the same endpoint.") { name, target, outFolder, image, ns, instance, region, project, role, port };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var record = await client.Endpoints.GetEndpointAsync(parse.GetValue(name)!, ct);
            var files = Cairn.Deployments.Export.EndpointExport.Export(record.Spec, parse.GetValue(target)!, new Cairn.Deployments.Export.ExportOptions(
                parse.GetValue(image)!, parse.GetValue(ns), parse.GetValue(instance), parse.GetValue(region), parse.GetValue(project), parse.GetValue(role), parse.GetValue(port)));
            if (parse.GetValue(outFolder) is not { } folder)
            {
                foreach (var file in files)
                {
                    stdout.WriteLine($"# {file.FileName}");
                    stdout.WriteLine(file.Content.TrimEnd());
                }
                return 0;
            }
            Directory.CreateDirectory(folder);
            foreach (var file in files)
            {
                // File names come from the exporter (sanitised provider names), never from a path the endpoint holds; checked anyway.
                var path = Path.GetFullPath(Path.Combine(folder, file.FileName));
                if (!path.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw CairnException.InvalidParameter($"Refusing to write '{file.FileName}' outside {folder}.");
                await File.WriteAllTextAsync(path, file.Content, ct);
            }
            stdout.WriteLine($"Wrote {files.Count} file(s) for {parse.GetValue(target)} to {folder}: {string.Join(", ", files.Select(f => f.FileName))}.");
            return 0;
        });
        return command;
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
            var rows = await EndpointLog.ReadAsync(parse.GetValue(log)!, record.Name, Math.Max(shadow.StartedAt, record.CreationTime), client.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1, ct);
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
