using System.CommandLine;
using System.Globalization;
using Cairn.Data;
using Cairn.Features;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn features plan|apply|list|show|diff|get-historical</c>: parse, call the definition store and the point-in-time joiner, print.</summary>
internal static partial class FeaturesCommands
{
    private static readonly Option<string?> ProjectDirectory = new("--directory", "-C")
    {
        Description = "Run as if started in this folder (as git -C): its features/ folder, its .cairn store, and relative paths are read from there.",
        Recursive = true,
    };

    public static Command Create(TextWriter stdout)
    {
        var command = new Command("features", "Feature store: versioned definitions from features/*.yaml, and point-in-time correct training sets.");
        command.Options.Add(ProjectDirectory);
        command.Subcommands.Add(Plan(stdout));
        command.Subcommands.Add(Apply(stdout));
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Show(stdout));
        command.Subcommands.Add(Diff(stdout));
        command.Subcommands.Add(GetHistorical(stdout));
        command.Subcommands.Add(Materialize(stdout));
        command.Subcommands.Add(MaterializeIncremental(stdout));
        command.Subcommands.Add(GetOnline(stdout));
        command.Subcommands.Add(Push(stdout));
        command.Subcommands.Add(Stats(stdout));
        return command;
    }

    private static string Folder(ParseResult parse) => Path.GetFullPath(parse.GetValue(ProjectDirectory) ?? Directory.GetCurrentDirectory());

    private static string InFolder(ParseResult parse, string path) => Path.Combine(Folder(parse), path);

    /// <summary>Dataset sources read their version's files from the data cache of the project's workspace, as <c>cairn monitor</c> reads data:/ references.</summary>
    private static FeatureDatasetResolver Datasets(ParseResult parse, CairnClient client) => async (uri, ct) =>
        [.. (await Cairn.Quality.Tables.DataSource.ResolveAsync(uri.ToString(), client, Folder(parse), ct)).Files.Select(f => new FeatureDatasetFile(f.Path, f.FormatPath ?? f.Path))];

    /// <summary>--tracking-uri, $CAIRN_TRACKING_URI, or the project folder's .cairn when -C names one.</summary>
    private static CairnClient OpenClient(ParseResult parse) =>
        CairnClient.Open(parse.GetValue(GlobalOptions.TrackingUri)
            ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable)
            ?? (parse.GetValue(ProjectDirectory) is null ? null : Path.Combine(Folder(parse), ".cairn")));

    private static Option<string?> DefinitionsOption() => new("--definitions", "-f")
    {
        Description = $"A folder of YAML definitions or one file (default: {FeatureRepositoryYaml.DefaultFolder}/ in the project folder).",
    };

    private static FeatureRepository LoadDefinitions(ParseResult parse, Option<string?> definitions) =>
        FeatureRepositoryYaml.Load(InFolder(parse, parse.GetValue(definitions) ?? FeatureRepositoryYaml.DefaultFolder));

    private static Command Plan(TextWriter stdout)
    {
        var definitions = DefinitionsOption();
        var plan = new Command("plan", "Show what `cairn features apply` would change in the registered definitions.") { definitions };
        plan.SetAction(async (parse, ct) =>
        {
            var proposed = LoadDefinitions(parse, definitions);
            using var client = OpenClient(parse);
            var result = FeaturePlanner.Plan(await client.Features.GetRepositoryAsync(ct), proposed);
            PrintPlan(stdout, result);
            if (result.Incompatibilities.Count > 0)
                stdout.WriteLine("apply refuses these incompatible changes unless given --force.");
            return 0;
        });
        return plan;
    }

    private static Command Apply(TextWriter stdout)
    {
        var definitions = DefinitionsOption();
        var force = new Option<bool>("--force") { Description = "Apply even changes that break a registered feature service (a served feature removed or retyped)." };
        var apply = new Command("apply", "Register the definitions as new versions of the views, services, entities and sources that changed.") { definitions, force };
        apply.SetAction(async (parse, ct) =>
        {
            var proposed = LoadDefinitions(parse, definitions);
            using var client = OpenClient(parse);
            var result = await client.Features.ApplyAsync(proposed, parse.GetValue(force), ct);
            if (result.Versions.Count == 0)
            {
                stdout.WriteLine("No changes: the registered definitions are up to date.");
                return 0;
            }
            PrintPlan(stdout, result.Plan);
            stdout.WriteLine($"Applied {result.Versions.Count} change(s) as apply {result.Apply}:");
            foreach (var version in result.Versions)
                stdout.WriteLine($"  {version.Address}{(version.Removed ? " (removed)" : "")}");
            return 0;
        });
        return apply;
    }

    private static void PrintPlan(TextWriter stdout, FeaturePlan plan)
    {
        if (plan.IsEmpty)
        {
            stdout.WriteLine("No changes: the registered definitions match.");
            return;
        }
        foreach (var change in plan.Changes)
        {
            var sign = change.Change switch { FeatureChangeKind.Add => "+", FeatureChangeKind.Remove => "-", _ => "~" };
            stdout.WriteLine($"{sign} {change.Kind} {change.Name}");
            foreach (var detail in change.Details.Where(_ => change.Change == FeatureChangeKind.Change)) stdout.WriteLine($"    {detail}");
        }
        foreach (var incompatibility in plan.Incompatibilities) stdout.WriteLine($"! incompatible: {incompatibility}");
    }

    private static Command List(TextWriter stdout)
    {
        var list = new Command("list", "The registered feature views, services, entities and sources, at their latest versions.");
        list.SetAction(async (parse, ct) =>
        {
            using var client = OpenClient(parse);
            var repository = await client.Features.GetRepositoryAsync(ct);
            if (repository.Views.Count + repository.Services.Count + repository.Entities.Count + repository.Sources.Count + repository.OnDemandViews.Count == 0)
            {
                stdout.WriteLine("No feature definitions are registered: write features/*.yaml and run `cairn features apply`.");
                return 0;
            }
            async Task<int> Version(string kind, string name) => (await client.Features.GetDefinitionAsync(kind, name, null, ct)).Version;
            stdout.WriteLine("feature views:");
            foreach (var view in repository.Views)
                stdout.WriteLine($"  {new FeatureUri(view.Name, await Version(FeatureDefinitionKinds.View, view.Name))}  entities {string.Join(",", view.Entities)}  source {view.Source}  " +
                    $"ttl {Ttl(view.Ttl)}  features {string.Join(", ", view.Features.Select(f => $"{f.Name} ({f.Type.Name()})"))}");
            if (repository.OnDemandViews.Count > 0) stdout.WriteLine("on-demand feature views:");
            foreach (var view in repository.OnDemandViews)
                stdout.WriteLine($"  {view.Name}@{await Version(FeatureDefinitionKinds.OnDemandView, view.Name)}  function {view.Function}  " +
                    $"request {string.Join(", ", view.RequestFields.Select(f => $"{f.Name} ({f.Type.Name()})"))}  inputs {string.Join(", ", view.Inputs)}  " +
                    $"features {string.Join(", ", view.Features.Select(f => $"{f.Name} ({f.Type.Name()})"))}");
            stdout.WriteLine("feature services:");
            foreach (var service in repository.Services)
                stdout.WriteLine($"  {service.Name}@{await Version(FeatureDefinitionKinds.Service, service.Name)}  {string.Join(", ", service.Features)}");
            stdout.WriteLine("entities:");
            foreach (var entity in repository.Entities)
                stdout.WriteLine($"  {entity.Name}@{await Version(FeatureDefinitionKinds.Entity, entity.Name)}  join keys {string.Join(", ", entity.JoinKeys.Select(k => $"{k.Name} ({k.Type.Name()})"))}");
            stdout.WriteLine("sources:");
            foreach (var source in repository.Sources)
                stdout.WriteLine($"  {source.Name}@{await Version(FeatureDefinitionKinds.Source, source.Name)}  {source.Kind} {source.Path ?? source.Query ?? source.Table ?? source.Dataset}  timestamp {source.TimestampField}");
            return 0;
        });
        return list;
    }

    private static FeatureUri ViewUri(string text) => FeatureUri.IsFeatureUri(text) ? FeatureUri.Parse(text) : FeatureUri.Parse(FeatureUri.Scheme + text);

    private static Command Show(TextWriter stdout)
    {
        var view = new Argument<string>("view") { Description = "A view's name (its latest version) or features:/VIEW@VERSION." };
        var show = new Command("show", "A feature view's definition at a version, and its versions.") { view };
        show.SetAction(async (parse, ct) =>
        {
            using var client = OpenClient(parse);
            var found = await client.Features.GetViewAsync(ViewUri(parse.GetValue(view)!), ct);
            var v = found.View!;
            stdout.WriteLine(found.Address);
            if (v.Description is not null) stdout.WriteLine($"  description:    {v.Description}");
            stdout.WriteLine($"  entities:       {string.Join(", ", v.Entities)}");
            stdout.WriteLine($"  source:         {v.Source}");
            stdout.WriteLine($"  ttl:            {Ttl(v.Ttl)}");
            stdout.WriteLine($"  online:         {(v.Online ? "yes" : "no")}");
            foreach (var feature in v.Features)
                stdout.WriteLine($"  feature:        {feature.Name} ({feature.Type.Name()}){(feature.Description is null ? "" : " " + feature.Description)}");
            if (v.Transformation is not null) stdout.WriteLine($"  transformation: {v.Transformation}");
            stdout.WriteLine($"  registered:     {Output.Time(found.CreationTime)} (apply {found.Apply})");
            var versions = await client.Features.ListVersionsAsync(FeatureDefinitionKinds.View, v.Name, ct);
            stdout.WriteLine($"  versions:       {string.Join(", ", versions.Select(x => x.Removed ? $"{x.Version} (removed)" : x.Version.ToString(CultureInfo.InvariantCulture)))}");
            return 0;
        });
        return show;
    }

    private static Command Diff(TextWriter stdout)
    {
        var from = new Argument<string>("from") { Description = "features:/VIEW@VERSION (or a view's name: its latest version)." };
        var to = new Argument<string>("to") { Description = "features:/VIEW@VERSION to compare with." };
        var diff = new Command("diff", "What changed in a feature view between two versions.") { from, to };
        diff.SetAction(async (parse, ct) =>
        {
            using var client = OpenClient(parse);
            var before = await client.Features.GetViewAsync(ViewUri(parse.GetValue(from)!), ct);
            var after = await client.Features.GetViewAsync(ViewUri(parse.GetValue(to)!), ct);
            var details = FeaturePlanner.DiffViews(before.View!, after.View!).ToList();
            if (before.View!.Description != after.View!.Description) details.Add("description changed");
            stdout.WriteLine($"{before.Address} -> {after.Address}:");
            if (details.Count == 0) stdout.WriteLine("  no differences");
            foreach (var detail in details) stdout.WriteLine($"  {detail}");
            return 0;
        });
        return diff;
    }

    private static Command GetHistorical(TextWriter stdout)
    {
        var service = new Option<string?>("--service") { Description = "The feature service whose features to join." };
        var features = new Option<string[]>("--features") { Description = "Features as VIEW:FEATURE, comma-separated or repeated (instead of --service).", AllowMultipleArgumentsPerToken = true };
        var entities = new Option<string>("--entities") { Description = "The entity table (Parquet or CSV): join keys and an event timestamp per row.", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the training set (Parquet).", Required = true };
        var timestamp = new Option<string>("--entity-timestamp") { Description = "The entity table's event-time column.", DefaultValueFactory = _ => "event_timestamp" };
        var fullNames = new Option<bool>("--full-feature-names") { Description = "Name feature columns VIEW__FEATURE." };
        var dataset = new Option<string?>("--dataset") { Description = "Also track the training set in the project's data workspace and name it data:/NAME@N, derived from the feature view versions it was built from." };
        var functions = FeatureFunctionsOption.Create();
        var command = new Command("get-historical", "Build a point-in-time correct training set from the registered definitions: each feature as known at each row's timestamp.")
        {
            service, features, entities, output, timestamp, fullNames, dataset, functions,
        };
        command.SetAction(async (parse, ct) =>
        {
            var serviceName = parse.GetValue(service);
            var references = (parse.GetValue(features) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(FeatureReference.Parse).ToList();
            if ((serviceName is null) == (references.Count == 0))
                throw CairnException.InvalidParameter("Give either --service NAME or --features VIEW:FEATURE,... (one of the two).");
            if (parse.GetValue(dataset) is { } datasetName)
            {
                // Checked before any work: a training set that cannot be tracked is not built.
                DatasetNames.Validate(datasetName);
                DataWorkspace.Open(Folder(parse)).Dispose();
            }
            using var client = OpenClient(parse);
            var repository = await client.Features.GetRepositoryAsync(ct);
            if (repository.Views.Count == 0)
                throw CairnException.InvalidParameter("No feature views are registered: write features/*.yaml and run `cairn features apply` first.");
            var options = new PointInTimeOptions
            {
                EntityTimestampColumn = parse.GetValue(timestamp)!, FullFeatureNames = parse.GetValue(fullNames), SourceRoot = Folder(parse),
                PushLogRoot = PushLogRoot(client), DatasetResolver = Datasets(parse, client),
                Functions = FeatureFunctionsOption.Load(parse, functions, Folder(parse)),
            };
            var entityPath = InFolder(parse, parse.GetValue(entities)!);
            var outputPath = InFolder(parse, parse.GetValue(output)!);
            var result = serviceName is not null
                ? await PointInTimeJoiner.JoinAsync(repository, serviceName, entityPath, outputPath, options, ct)
                : await PointInTimeJoiner.JoinAsync(repository, references, entityPath, outputPath, options, ct);
            stdout.WriteLine($"Wrote {result.OutputPath}: {result.Rows} row(s), {result.Features.Count} feature(s).");
            foreach (var column in result.Features)
                stdout.WriteLine($"  {column.Column} <- {column.Feature} ({column.Type.Name()}), {column.Nulls} null(s)");
            if (parse.GetValue(dataset) is { } name)
                await TrackTrainingSetAsync(stdout, parse, client, repository, result, serviceName, name, ct);
            return 0;
        });
        return command;
    }

    /// <summary>Adds the training set to the project's data workspace and names it as a dataset version derived from the view versions used.</summary>
    private static async Task TrackTrainingSetAsync(TextWriter stdout, ParseResult parse, CairnClient client, FeatureRepository repository, TrainingSetResult result,
        string? service, string name, CancellationToken ct)
    {
        var derivedFrom = await TrainingSetLineage.DerivedFromAsync(repository, result, client.Features, ct);
        var views = derivedFrom.Where(FeatureUri.IsFeatureUri).ToList();
        using var workspace = DataWorkspace.Open(Folder(parse));
        await workspace.AddAsync(result.OutputPath, ct);
        var description = $"Point-in-time training set{(service is null ? "" : $" of feature service {service}")} from {string.Join(", ", views)}: "
            + string.Join(", ", result.Features.Select(f => f.Feature.ToString()));
        var (version, warnings) = await DatasetTagging.TagAsync(workspace, client.Datasets, result.OutputPath, name, description, Environment.UserName, ct, derivedFrom);
        foreach (var warning in warnings) stdout.WriteLine($"warning: {warning}");
        if (!version.DerivedFrom.SequenceEqual(derivedFrom))
            stdout.WriteLine($"warning: {version.ToUri()} already held these rows; it keeps the lineage it was tagged with.");
        stdout.WriteLine($"Tracked as {version.ToUri()} ({version.Digest}), derived from {DerivedFromText(version)}.");
        stdout.WriteLine($"Log it as the training input of a run with run.LogInput(\"{version.ToUri()}\"): it then appears in the model's lineage and card.");
    }

    private static string DerivedFromText(DatasetVersion version) => version.DerivedFrom.Count == 0 ? "nothing recorded" : string.Join(", ", version.DerivedFrom);

    private static string Ttl(TimeSpan? ttl) => FeatureDurations.Format(ttl);
}
