using System.CommandLine;
using System.Text.Json;
using Cairn.Artifacts;
using Cairn.Models;
using Cairn.Registry;
using Cairn.Tracking;
using Spectre.Console;

namespace Cairn.Cli.Commands;

internal static class ModelsCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("models", "Register, alias, promote, inspect and convert models.");
        command.Subcommands.Add(Register(stdout));
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Show(stdout));
        command.Subcommands.Add(Alias(stdout));
        command.Subcommands.Add(Promote(stdout));
        command.Subcommands.Add(Review(stdout, "approve", approve: true));
        command.Subcommands.Add(Review(stdout, "reject", approve: false));
        command.Subcommands.Add(History(stdout));
        command.Subcommands.Add(Lineage(stdout));
        command.Subcommands.Add(Card(stdout));
        command.Subcommands.Add(ExplainCommands.ExplainGlobal(stdout));
        command.Subcommands.Add(Describe(stdout));
        command.Subcommands.Add(Tag(stdout));
        command.Subcommands.Add(Convert(stdout));
        command.Subcommands.Add(Predict(stdout));
        command.Subcommands.Add(BuildImage(stdout));
        command.Subcommands.Add(ModelsSigningCommands.Keygen(stdout));
        command.Subcommands.Add(ModelsSigningCommands.Sign(stdout));
        command.Subcommands.Add(ModelsSigningCommands.Verify(stdout));
        return command;
    }

    private static Command Register(TextWriter stdout)
    {
        var source = new Argument<string>("source") { Description = "The logged package, runs:/<run_id>/<path>." };
        var name = new Option<string>("--name") { Description = "The registered model's name.", Required = true };
        var description = new Option<string?>("--description") { Description = "What the version is for (goes on its model card)." };
        var output = GlobalOptions.Output();
        var command = new Command("register", "Register a logged model package as the next version of a model.") { source, name, description, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var version = await new ModelRegistry(client).RegisterAsync(parse.GetValue(source)!, parse.GetValue(name)!, parse.GetValue(description), ct: ct);
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, new { model_version = version });
            else stdout.WriteLine($"Registered {version.Name} version {version.Version} (models:/{version.Name}/{version.Version}) from {version.Source}.");
            return 0;
        });
        return command;
    }

    private static Command List(TextWriter stdout)
    {
        var filter = new Option<string?>("--filter") { Description = "e.g. \"name LIKE 'delay%'\"." };
        var output = GlobalOptions.Output();
        var command = new Command("list", "List registered models with their latest version and aliases.") { filter, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var models = new List<RegisteredModel>();
            string? token = null;
            do
            {
                var page = await client.Registry.SearchRegisteredModelsAsync(new RegistryQuery(parse.GetValue(filter), RegistryQuery.MaxMaxResults, PageToken: token), ct);
                models.AddRange(page.Items);
                token = page.NextPageToken;
            } while (token is not null);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { registered_models = models });
                return 0;
            }
            var table = new Table().AddColumns("Name", "Latest version", "Aliases", "Updated", "Description");
            foreach (var m in models)
                table.AddRow(Output.Escape(m.Name), m.LatestVersions.FirstOrDefault()?.Version ?? "", Output.Escape(string.Join(", ", m.Aliases.Select(a => $"{a.Alias} -> {a.Version}"))),
                    Output.Time(m.LastUpdatedTimestamp), Output.Escape(Output.OneLine(m.Description)));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version>, models:/<name>@<alias>, or a model name." };
        var output = GlobalOptions.Output();
        var command = new Command("show", "Show a model version (or a registered model and its versions).") { uri, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var text = parse.GetValue(uri)!;
            if (!ModelUri.IsModelUri(text))
            {
                var model = await client.Registry.GetRegisteredModelAsync(text, ct);
                var versions = await client.Registry.SearchModelVersionsAsync(new RegistryQuery($"name = '{text.Replace("'", "''")}'", RegistryQuery.MaxMaxResults), ct);
                if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { registered_model = model, model_versions = versions.Items }); return 0; }
                var table = new Table().Title(Output.Escape(model.Name)).AddColumns("Version", "Aliases", "Run", "Registered", "By", "Description");
                foreach (var v in versions.Items)
                    table.AddRow(v.Version, Output.Escape(string.Join(", ", v.Aliases)), v.RunId ?? "", Output.Time(v.CreationTimestamp), Output.Escape(v.UserId), Output.Escape(v.Description));
                Output.Console(stdout).Write(table);
                return 0;
            }
            var (version, path) = await new ModelRegistry(client).ResolveAsync(text, ct);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { model_version = version }); return 0; }
            var info = new Table().HideHeaders().AddColumns("", "");
            info.AddRow("Model", Output.Escape(version!.Name));
            info.AddRow("Version", version.Version);
            info.AddRow("Aliases", Output.Escape(string.Join(", ", version.Aliases)));
            info.AddRow("Source", Output.Escape(version.Source));
            info.AddRow("Run", version.RunId ?? "");
            info.AddRow("Registered", $"{Output.Time(version.CreationTimestamp)} by {Output.Escape(version.UserId)}");
            info.AddRow("Description", Output.Escape(version.Description));
            info.AddRow("Package", Output.Escape(path));
            foreach (var tag in version.Tags) info.AddRow($"tag {Output.Escape(tag.Key)}", Output.Escape(tag.Value));
            Output.Console(stdout).Write(info);
            return 0;
        });
        return command;
    }

    private static Command Alias(TextWriter stdout)
    {
        var name = new Argument<string>("name");
        var alias = new Argument<string>("alias");
        var version = new Argument<string?>("version") { Description = "The version the alias should point at.", Arity = ArgumentArity.ZeroOrOne };
        var delete = new Option<bool>("--delete") { Description = "Remove the alias instead." };
        var command = new Command("alias", "Point an alias (e.g. champion) at a version, without a gate; recorded in the audit trail.") { name, alias, version, delete };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var registry = new ModelRegistry(client);
            if (parse.GetValue(delete))
            {
                await registry.DeleteAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, ct: ct);
                stdout.WriteLine($"Removed alias '{parse.GetValue(alias)}' from {parse.GetValue(name)}.");
                return 0;
            }
            var target = parse.GetValue(version) ?? throw CairnException.InvalidParameter("Give the version the alias should point at, e.g. cairn models alias delay champion 3.");
            await registry.SetAliasAsync(parse.GetValue(name)!, parse.GetValue(alias)!, target, ct: ct);
            stdout.WriteLine($"models:/{parse.GetValue(name)}@{parse.GetValue(alias)} -> version {target}");
            return 0;
        });
        return command;
    }

    private static Command Promote(TextWriter stdout)
    {
        var name = new Argument<string>("name");
        var version = new Option<string>("--version") { Description = "The candidate version.", Required = true };
        var to = new Option<string>("--to") { Description = "The alias to move, e.g. champion.", Required = true };
        var require = new Option<string?>("--require") { Description = "Gate, e.g. \"metrics.auc >= champion.metrics.auc - 0.005\"." };
        var comment = new Option<string?>("--comment") { Description = "Why (kept in the audit trail)." };
        var output = GlobalOptions.Output();
        var command = new Command("promote", "Move an alias to a version if the gate passes; otherwise leave a request for approval.") { name, version, to, require, comment, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var result = await new ModelRegistry(client).PromoteAsync(parse.GetValue(name)!, parse.GetValue(version)!, parse.GetValue(to)!, parse.GetValue(require), comment: parse.GetValue(comment), ct: ct);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, result); return result.Outcome == PromotionOutcome.Promoted ? 0 : 4; }
            foreach (var line in result.Gate?.Details ?? []) stdout.WriteLine($"  gate: {line}");
            if (result.Outcome == PromotionOutcome.Promoted)
            {
                stdout.WriteLine($"Promoted: models:/{result.Name}@{result.Alias} -> version {result.Version}{(result.PreviousVersion is null ? "" : $" (was {result.PreviousVersion})")}.");
                return 0;
            }
            if (result.Outcome == PromotionOutcome.AwaitingApproval)
            {
                stdout.WriteLine($"Waiting for approval by another user: '{result.Alias}' is protected on this server, so models:/{result.Name}@{result.Alias} stays " +
                    $"{(result.PreviousVersion is null ? "unset" : $"at version {result.PreviousVersion}")}. Another user with MANAGE on the model approves with: " +
                    $"cairn models approve {result.Name} --version {result.Version} --to {result.Alias} --comment \"...\"");
                return 4; // as a failed gate: the alias did not move, the request waits
            }
            stdout.WriteLine($"Not promoted: the gate failed; models:/{result.Name}@{result.Alias} stays at version {result.PreviousVersion}. " +
                $"A reviewer can override with: cairn models approve {result.Name} --version {result.Version} --to {result.Alias} --comment \"...\"");
            return 4; // distinct from errors, so CI can tell "gate failed" apart
        });
        return command;
    }

    private static Command Review(TextWriter stdout, string verb, bool approve)
    {
        var name = new Argument<string>("name");
        var version = new Option<string>("--version") { Required = true };
        var to = new Option<string>("--to") { Description = "The alias of the pending request.", Required = true };
        var comment = new Option<string>("--comment") { Description = "The reviewer's reason (required).", Required = true };
        var command = new Command(verb, approve ? "Approve a pending promotion (its gate failed, or the alias is protected and needs a second person): the alias moves." : "Reject a pending promotion.") { name, version, to, comment };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var registry = new ModelRegistry(client);
            if (approve) await registry.ApproveAsync(parse.GetValue(name)!, parse.GetValue(version)!, parse.GetValue(to)!, parse.GetValue(comment)!, ct: ct);
            else await registry.RejectAsync(parse.GetValue(name)!, parse.GetValue(version)!, parse.GetValue(to)!, parse.GetValue(comment)!, ct: ct);
            stdout.WriteLine(approve
                ? $"Approved: models:/{parse.GetValue(name)}@{parse.GetValue(to)} -> version {parse.GetValue(version)}."
                : $"Rejected the promotion of {parse.GetValue(name)} version {parse.GetValue(version)} to '{parse.GetValue(to)}'.");
            return 0;
        });
        return command;
    }

    private static Command History(TextWriter stdout)
    {
        var name = new Argument<string>("name");
        var version = new Option<string?>("--version");
        var output = GlobalOptions.Output();
        var command = new Command("history", "The audit trail: registrations, promotion requests, gate results, approvals, alias moves.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var trail = await client.Registry.ListTransitionsAsync(parse.GetValue(name)!, parse.GetValue(version), ct);
            if (parse.GetValue(output) == OutputFormat.Json) { Output.Json(stdout, new { transitions = trail }); return 0; }
            RenderTrail(stdout, trail);
            return 0;
        });
        return command;
    }

    private static void RenderTrail(TextWriter stdout, IReadOnlyList<ModelTransition> trail)
    {
        var table = new Table().AddColumns("When", "Version", "Alias", "Action", "Who", "Comment", "Gate");
        foreach (var t in trail)
            table.AddRow(Output.Time(t.Timestamp), t.Version, Output.Escape(t.Alias), t.Action.ToString(), Output.Escape(t.Actor), Output.Escape(t.Comment),
                Output.Escape(t.GateDetails ?? t.Gate));
        Output.Console(stdout).Write(table);
    }

    private static Command Lineage(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version> or models:/<name>@<alias>." };
        var output = GlobalOptions.Output();
        var command = new Command("lineage", "The trail of a version: run, params, metrics, data, code, who registered it, aliases, history.") { uri, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var lineage = await new ModelRegistry(client).LineageAsync(parse.GetValue(uri)!, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new
                {
                    model_version = lineage.Version, run = lineage.Run, experiment = lineage.ExperimentName, package = lineage.PackagePath,
                    data_inputs = lineage.DataInputs, git_commit = lineage.Tag(RunContext.GitCommit), transitions = lineage.History,
                    parent_run = lineage.ParentRun?.Info.RunId, upstream_data_inputs = lineage.UpstreamDataInputs,
                    feature_views = lineage.FeatureViews.Select(f => new { view = f.View.ToString(), input = f.Input.ToString() }),
                });
                return 0;
            }
            var v = lineage.Version;
            var console = Output.Console(stdout);
            var tree = new Tree($"[bold]models:/{Output.Escape(v.Name)}/{v.Version}[/] aliases: {Output.Escape(v.Aliases.Count == 0 ? "none" : string.Join(", ", v.Aliases))}");
            tree.AddNode($"registered {Output.Time(v.CreationTimestamp)} by {Output.Escape(v.UserId ?? "unknown")}");
            tree.AddNode($"package {Output.Escape(v.Source)} (flavors: {Output.Escape(string.Join(", ", lineage.Manifest?.Flavors ?? []))})");
            if (lineage.Run is { } run)
            {
                var runNode = tree.AddNode($"run {run.Info.RunId} '{Output.Escape(run.Info.RunName)}' in experiment '{Output.Escape(lineage.ExperimentName)}', {run.Info.Status.ToString().ToUpperInvariant()}");
                runNode.AddNode(lineage.Tag(RunContext.GitCommit) is { } commit
                    ? $"code: git {commit} on {Output.Escape(lineage.Tag(RunContext.GitBranch) ?? "a detached HEAD")}{(lineage.Tag(RunContext.GitDirty) == "true" ? " (uncommitted changes)" : "")}"
                    : "code: not recorded (the run did not start in a git repository)");
                runNode.AddNode($"data: {Output.Escape(lineage.DataInputs.Count == 0 ? "no dataset versions recorded" : string.Join(", ", lineage.DataInputs))}");
                if (lineage.FeatureViews.Count > 0)
                    runNode.AddNode($"feature views: {Output.Escape(string.Join(", ", lineage.FeatureViews))}");
                runNode.AddNode("params: " + Output.Escape(string.Join(", ", run.Data.Params.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))));
                runNode.AddNode("metrics: " + Output.Escape(string.Join(", ", run.Data.Metrics.OrderBy(m => m.Key).Select(m => $"{m.Key}={Output.Number(m.Value)}"))));
                if (lineage.ParentRun is { } parent)
                {
                    var parentNode = runNode.AddNode($"started by run {parent.Info.RunId} '{Output.Escape(parent.Info.RunName)}', {parent.Info.Status.ToString().ToUpperInvariant()}" +
                        $" ({lineage.SiblingRuns.Count} other step{(lineage.SiblingRuns.Count == 1 ? "" : "s")})");
                    parentNode.AddNode($"data of its steps: {Output.Escape(lineage.UpstreamDataInputs.Count == 0 ? "no dataset versions recorded" : string.Join(", ", lineage.UpstreamDataInputs))}");
                }
            }
            console.Write(tree);
            if (lineage.History.Count > 0) RenderTrail(stdout, lineage.History);
            return 0;
        });
        return command;
    }

    private static Command Card(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version> or models:/<name>@<alias>." };
        var output = GlobalOptions.Output();
        var command = new Command("card", "Print a version's model card (markdown).") { uri, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var registry = new ModelRegistry(client);
            var (version, _) = await registry.ResolveAsync(parse.GetValue(uri)!, ct);
            if (version is null) throw CairnException.InvalidParameter("Model cards belong to registered versions: pass a models:/ URI.");
            var card = await registry.WriteCardAsync(version.Name, version.Version, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { name = version.Name, version = version.Version, model_card = card });
                return 0;
            }
            stdout.Write(card);
            return 0;
        });
        return command;
    }

    private static Command Describe(TextWriter stdout)
    {
        var name = new Argument<string>("name");
        var version = new Option<string?>("--version") { Description = "Describe this version instead of the model." };
        var text = new Option<string>("--description") { Required = true };
        var command = new Command("describe", "Set the description of a model or a version (its model card's intended use).") { name, version, text };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            if (parse.GetValue(version) is { } v)
            {
                await client.Registry.UpdateModelVersionAsync(parse.GetValue(name)!, v, parse.GetValue(text), ct);
                await new ModelRegistry(client).WriteCardAsync(parse.GetValue(name)!, v, ct);
            }
            else await client.Registry.UpdateRegisteredModelAsync(parse.GetValue(name)!, parse.GetValue(text), ct);
            stdout.WriteLine("Description updated.");
            return 0;
        });
        return command;
    }

    private static Command Tag(TextWriter stdout)
    {
        var name = new Argument<string>("name");
        var key = new Argument<string>("key");
        var value = new Argument<string>("value");
        var version = new Option<string?>("--version") { Description = "Tag this version instead of the model." };
        var command = new Command("tag", "Set a tag on a model or a version.") { name, key, value, version };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            if (parse.GetValue(version) is { } v)
                await client.Registry.SetModelVersionTagAsync(parse.GetValue(name)!, v, new ModelVersionTag(parse.GetValue(key)!, parse.GetValue(value)!), ct);
            else
                await client.Registry.SetRegisteredModelTagAsync(parse.GetValue(name)!, new RegisteredModelTag(parse.GetValue(key)!, parse.GetValue(value)!), ct);
            stdout.WriteLine("Tag set.");
            return 0;
        });
        return command;
    }

    private static Command Convert(TextWriter stdout)
    {
        var source = new Argument<string>("source") { Description = "The logged package, runs:/<run_id>/<path>." };
        var to = new Option<string>("--to") { Description = "Target flavor (onnx).", DefaultValueFactory = _ => "onnx" };
        var command = new Command("convert", "Add a flavor to a logged ML.NET package (ONNX, with ML.NET's converter).") { source, to };
        command.SetAction(async (parse, ct) =>
        {
            if (!string.Equals(parse.GetValue(to), "onnx", StringComparison.OrdinalIgnoreCase))
                throw CairnException.InvalidParameter($"Cannot convert to '{parse.GetValue(to)}': the supported target is onnx.");
            using var client = GlobalOptions.OpenClient(parse);
            var registry = new ModelRegistry(client);
            var (_, path) = await registry.ResolveAsync(parse.GetValue(source)!, ct);
            var folder = Directory.CreateTempSubdirectory("cairn-convert-").FullName;
            try
            {
                await registry.DownloadPackageAsync(path, folder, ct);
                var changed = OnnxExport.AddOnnxFlavor(ModelPackage.Open(folder));
                foreach (var file in changed)
                {
                    await using var stream = File.OpenRead(Path.Combine(folder, file));
                    await client.Artifacts.PutAsync(ArtifactPath.Combine(path, file), stream, ct);
                }
                stdout.WriteLine($"Added the onnx flavor to {parse.GetValue(source)} (model.onnx; MLmodel and digests updated).");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }

    private static Command BuildImage(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>@<alias>, models:/<name>/<version> or runs:/<run_id>/<path>." };
        var tag = new Option<string>("--tag") { Description = "Image name and tag, e.g. delay:4.", Required = true };
        var context = new Option<string?>("--context") { Description = "Where to write the build context (default: a temp folder)." };
        var noBuild = new Option<bool>("--no-build") { Description = "Write the context only." };
        var command = new Command("build-image", "Build an OCI image that serves the model (podman or buildah), or write its build context.") { uri, tag, context, noBuild };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var registry = new ModelRegistry(client);
            var text = parse.GetValue(uri)!;
            var (version, path) = await registry.ResolveAsync(text, ct);
            var folder = parse.GetValue(context) ?? Directory.CreateTempSubdirectory("cairn-image-").FullName;
            var package = Path.Combine(folder, "package");
            if (Directory.Exists(package)) Directory.Delete(package, recursive: true);
            await registry.DownloadPackageAsync(path, package, ct);
            ModelPackage.Open(package); // verify the digests before shipping them
            Packaging.ImageContext.Write(folder, package, version?.Name ?? "model", version?.Version ?? "1");
            Directory.Delete(package, recursive: true);
            var builder = new[] { "podman", "buildah" }.FirstOrDefault(OnPath);
            if (parse.GetValue(noBuild) || builder is null)
            {
                stdout.WriteLine($"Wrote the build context to {folder}.{(builder is null ? " Neither podman nor buildah is installed." : "")} Build it with:");
                stdout.WriteLine($"  podman build -t {parse.GetValue(tag)} {folder}");
                return 0;
            }
            var args = builder == "podman" ? $"build -t {parse.GetValue(tag)} {folder}" : $"bud -t {parse.GetValue(tag)} {folder}";
            var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(builder, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await process.StandardOutput.ReadToEndAsync(ct) + await process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new CairnException(ErrorCodes.InternalError, $"{builder} could not build the image: {output.Trim()}");
            stdout.WriteLine($"Built {parse.GetValue(tag)} with {builder} from {folder}. Run it with:");
            stdout.WriteLine($"  podman run --rm --network host -e SAGEMAKER_BIND_TO_PORT=8080 {parse.GetValue(tag)}");
            return 0;
        });
        return command;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    private static Command Predict(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/..., or runs:/<run_id>/<path>." };
        var input = new Option<string>("--input") { Description = "JSON: one object of column values, or an array of them.", Required = true };
        var flavor = new Option<string?>("--flavor") { Description = "mlnet or onnx (default: mlnet when present)." };
        var command = new Command("predict", "Load a model and score rows given as JSON.") { uri, input, flavor };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            using var model = await client.LoadModelAsync(parse.GetValue(uri)!, parse.GetValue(flavor), ct);
            JsonElement json;
            try { json = JsonDocument.Parse(parse.GetValue(input)!).RootElement; }
            catch (JsonException e) { throw CairnException.InvalidParameter($"--input is not valid JSON: {e.Message}"); }
            var rows = (json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().ToList() : [json])
                .Select(r => r.ValueKind == JsonValueKind.Object
                    ? (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
                    : throw CairnException.InvalidParameter("--input rows must be JSON objects of column values.")).ToList();
            Output.Json(stdout, new { predictions = model.Predict(rows) });
            return 0;
        });
        return command;
    }
}
