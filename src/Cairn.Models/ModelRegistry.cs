using System.Globalization;
using Cairn.Artifacts;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Models;

/// <summary>The outcome of a promotion request.</summary>
public enum PromotionOutcome
{
    /// <summary>The alias now points at the version.</summary>
    Promoted,
    /// <summary>The gate failed: the alias did not move, and the request waits for ApproveAsync or RejectAsync.</summary>
    PendingApproval,
    /// <summary>The alias is protected on the server (four eyes): the alias did not move, and the request waits for another user's ApproveAsync.</summary>
    AwaitingApproval,
}

/// <summary>What a promotion did.</summary>
/// <param name="Outcome">Whether the alias moved or the request awaits approval.</param>
/// <param name="Name">The registered model.</param>
/// <param name="Version">The candidate version.</param>
/// <param name="Alias">The alias promoted to.</param>
/// <param name="PreviousVersion">The version that held the alias before; null when none did.</param>
/// <param name="Gate">The gate's evaluation; null when promoted without a gate.</param>
public sealed record PromotionResult(PromotionOutcome Outcome, string Name, string Version, string Alias, string? PreviousVersion, GateResult? Gate);

/// <summary>
/// The registry as a capability over the stores: registering packages, resolving model URIs,
/// promotions gated on metrics with approvals, lineage and model cards. Every change to an alias
/// made here leaves an audit record with who, when and why.
/// </summary>
public sealed class ModelRegistry(CairnClient client)
{
    private IRegistryStore Registry => client.Registry;
    private ITrackingStore Tracking => client.Tracking;
    private long Now => client.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Registers the package at <paramref name="source"/> (<c>runs:/&lt;id&gt;/model</c>, or MLflow 3's
    /// logged model <c>models:/m-&lt;id&gt;</c>) as the next version of <paramref name="name"/>.
    /// </summary>
    public async Task<ModelVersion> RegisterAsync(string source, string name, string? description = null, string? actor = null, CancellationToken ct = default)
    {
        RegistryNames.ValidateModelName(name);
        if (LoggedModelIds.FromUri(source) is { } modelId) return await RegisterLoggedModelAsync(modelId, source, name, description, actor, ct).ConfigureAwait(false);
        var runUri = await Tracking.ResolveRunUriAsync(source, ct).ConfigureAwait(false);
        var run = await Tracking.GetRunAsync(runUri.RunId, ct).ConfigureAwait(false);
        var packagePath = ArtifactPath.Combine(ArtifactPath.FromUri(run.Info.ArtifactUri), runUri.ArtifactPath);
        var files = await client.Artifacts.ListAsync(packagePath, ct).ConfigureAwait(false);
        if (!files.Any(f => f.Path.EndsWith("/" + ModelManifest.FileName, StringComparison.Ordinal)))
            throw CairnException.InvalidParameter($"{source} is not a model package: it has no {ModelManifest.FileName}. Log one with run.LogModel(...).");
        var who = actor ?? Environment.UserName;
        var version = await Registry.CreateModelVersionAsync(new NewModelVersion(name, runUri.ToString(), run.Info.RunId, description, who), ct).ConfigureAwait(false);
        await Audit(name, version.Version, "", TransitionAction.Registered, who, $"registered from {runUri}", null, null, ct).ConfigureAwait(false);
        await WriteCardAsync(name, version.Version, ct).ConfigureAwait(false);
        return version;
    }

    /// <remarks>
    /// A logged model's files are not a run's package, so no model card is written for it (the
    /// card reads the package's manifest); the audit trail still records the registration.
    /// </remarks>
    private async Task<ModelVersion> RegisterLoggedModelAsync(string modelId, string source, string name, string? description, string? actor, CancellationToken ct)
    {
        var model = await client.LoggedModels.GetLoggedModelAsync(modelId, ct).ConfigureAwait(false);
        var who = actor ?? Environment.UserName;
        var version = await Registry.CreateModelVersionAsync(new NewModelVersion(name, source, model.Info.SourceRunId, description, who, ModelId: modelId), ct).ConfigureAwait(false);
        await Audit(name, version.Version, "", TransitionAction.Registered, who, $"registered from {source}", null, null, ct).ConfigureAwait(false);
        return version;
    }

    /// <summary>The version a <c>models:/</c> URI names (null for a <c>runs:/</c> URI) and the store path of its package.</summary>
    public async Task<(ModelVersion? Version, string PackagePath)> ResolveAsync(string uri, CancellationToken ct = default)
    {
        if (ModelUri.IsModelUri(uri))
        {
            var version = await GetVersionAsync(uri, ct).ConfigureAwait(false);
            return (version, await ModelSources.ToStorePathAsync(version.Source, Tracking, ct).ConfigureAwait(false));
        }
        if (uri.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
            return (null, await ModelSources.ToStorePathAsync(uri, Tracking, ct).ConfigureAwait(false));
        throw CairnException.InvalidParameter($"'{uri}' is not a model URI: use models:/<name>/<version>, models:/<name>@<alias> or runs:/<run_id>/<path>.");
    }

    /// <summary>
    /// The version <c>models:/name/3</c>, <c>models:/name@alias</c> or <c>models:/name/latest</c>
    /// (the highest version, as MLflow reads it) names; not found says where to look next.
    /// </summary>
    public async Task<ModelVersion> GetVersionAsync(string uri, CancellationToken ct = default)
    {
        if (uri.StartsWith(ModelUri.Scheme, StringComparison.Ordinal) && uri.EndsWith(LatestSuffix, StringComparison.Ordinal))
        {
            var name = RegistryNames.ValidateModelName(uri[ModelUri.Scheme.Length..^LatestSuffix.Length].TrimStart('/'));
            return await GetLatestVersionAsync(name, ct).ConfigureAwait(false)
                ?? throw CairnException.NotFound($"The registered model '{name}' has no versions yet. Register one with: cairn models register");
        }
        var model = ModelUri.Parse(uri);
        try
        {
            return model.Alias is not null
                ? await Registry.GetModelVersionByAliasAsync(model.Name, model.Alias, ct).ConfigureAwait(false)
                : await Registry.GetModelVersionAsync(model.Name, model.Version!, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            throw await NotFoundWithHintAsync(model.Name, e, ct).ConfigureAwait(false);
        }
    }

    private const string LatestSuffix = "/latest";

    /// <summary>The highest version of <paramref name="name"/>, or null when it has none; not found when there is no such model.</summary>
    public async Task<ModelVersion?> GetLatestVersionAsync(string name, CancellationToken ct = default)
    {
        RegistryNames.ValidateModelName(name);
        var page = await Registry.SearchModelVersionsAsync(new RegistryQuery($"name = '{name.Replace("'", "''")}'", 1, ["version_number DESC"]), ct).ConfigureAwait(false);
        if (page.Items.Count > 0) return page.Items[0];
        await Registry.GetRegisteredModelAsync(name, ct).ConfigureAwait(false); // a model with no versions, or no model at all
        return null;
    }

    /// <summary>The store's "not found", with where to look next: the models there are, or this model's versions.</summary>
    private async Task<CairnException> NotFoundWithHintAsync(string name, CairnException notFound, CancellationToken ct)
    {
        try
        {
            await Registry.GetRegisteredModelAsync(name, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return CairnException.NotFound($"There is no registered model named '{name}'. List the registered models with: cairn models list");
        }
        return CairnException.NotFound($"{notFound.Message.TrimEnd('.')}. List its versions and aliases with: cairn models show {name}");
    }

    /// <summary>Copies a package from the artifact store to <paramref name="folder"/>.</summary>
    public async Task DownloadPackageAsync(string packagePath, string folder, CancellationToken ct = default)
    {
        var files = await client.Artifacts.ListAsync(packagePath, ct).ConfigureAwait(false);
        if (files.Count == 0) throw CairnException.NotFound($"No model package at '{packagePath}'.");
        Directory.CreateDirectory(folder);
        foreach (var file in files)
        {
            var target = Path.Combine(folder, file.Path[(file.Path.LastIndexOf('/') + 1)..]);
            if (file.IsDir)
            {
                await DownloadPackageAsync(file.Path, target, ct).ConfigureAwait(false);
                continue;
            }
            await using var input = await client.Artifacts.OpenReadAsync(file.Path, ct).ConfigureAwait(false);
            await using var output = File.Create(target);
            await input.CopyToAsync(output, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Moves <paramref name="alias"/> to <paramref name="version"/> if <paramref name="gate"/> passes
    /// against the alias's current holder; otherwise leaves it and records a pending request that
    /// <see cref="ApproveAsync"/> or <see cref="RejectAsync"/> settles.
    /// </summary>
    public async Task<PromotionResult> PromoteAsync(string name, string version, string alias, string? gate, string? actor = null, string? comment = null, CancellationToken ct = default)
    {
        RegistryNames.ValidateAlias(alias);
        var parsedGate = gate is null ? null : PromotionGate.Parse(gate);
        if (parsedGate?.References.FirstOrDefault(r => r.Scope == GateScope.Model) is { } named)
            throw CairnException.InvalidParameter($"A promotion gate compares the candidate with champion.<kind>.<key>; {named} names another model, which `cairn gate` evaluates.");
        var who = actor ?? Environment.UserName;
        var candidate = await Registry.GetModelVersionAsync(name, version, ct).ConfigureAwait(false);
        ModelVersion? holder = null;
        try { holder = await Registry.GetModelVersionByAliasAsync(name, alias, ct).ConfigureAwait(false); }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist) { }
        var candidateRun = parsedGate is null ? null : await RunOf(candidate, ct).ConfigureAwait(false);
        var holderRun = parsedGate is null || holder is null ? null : await RunOf(holder, ct).ConfigureAwait(false);
        if (parsedGate is not null) RequireLoggedKeys(parsedGate, candidateRun, holderRun);

        await Audit(name, version, alias, TransitionAction.Requested, who, comment, gate, holder is null ? "no current holder" : $"current holder: version {holder.Version}", ct).ConfigureAwait(false);
        GateResult? result = null;
        if (parsedGate is not null)
        {
            result = parsedGate.Evaluate(r => Value(r.Scope == GateScope.Champion ? holderRun : candidateRun, r), holder is not null);
            await Audit(name, version, alias, result.Passed ? TransitionAction.GatePassed : TransitionAction.GateFailed, who, comment, gate, result.Summary, ct).ConfigureAwait(false);
            if (!result.Passed) return new PromotionResult(PromotionOutcome.PendingApproval, name, version, alias, holder?.Version, result);
        }
        try
        {
            await MoveAlias(name, version, alias, who, comment ?? (gate is null ? "promoted without a gate" : "gate passed"), ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.PermissionDenied)
        {
            // The request was just accepted, so the caller may change the model: a refused move is a
            // protected alias waiting for a second person, not a missing right.
            return new PromotionResult(PromotionOutcome.AwaitingApproval, name, version, alias, holder?.Version, result);
        }
        return new PromotionResult(PromotionOutcome.Promoted, name, version, alias, holder?.Version, result);
    }

    /// <summary>A reviewer overrides a failed gate (or, on a server protecting the alias, gives the second approval): the alias moves, and the approval is recorded with its comment.</summary>
    public async Task ApproveAsync(string name, string version, string alias, string comment, string? actor = null, CancellationToken ct = default)
    {
        await RequirePending(name, version, alias, ct).ConfigureAwait(false);
        var who = actor ?? Environment.UserName;
        await Audit(name, version, alias, TransitionAction.Approved, who, comment, null, null, ct).ConfigureAwait(false);
        await MoveAlias(name, version, alias, who, "approved: " + comment, ct).ConfigureAwait(false);
    }

    /// <summary>A reviewer turns down a pending promotion: the alias stays, and the rejection is recorded with its comment.</summary>
    /// <exception cref="CairnException">There is no pending (gate-failed) request for this version and alias.</exception>
    public async Task RejectAsync(string name, string version, string alias, string comment, string? actor = null, CancellationToken ct = default)
    {
        await RequirePending(name, version, alias, ct).ConfigureAwait(false);
        await Audit(name, version, alias, TransitionAction.Rejected, actor ?? Environment.UserName, comment, null, null, ct).ConfigureAwait(false);
    }

    /// <summary>Sets an alias directly (no gate), still leaving an audit record.</summary>
    public Task SetAliasAsync(string name, string alias, string version, string? actor = null, CancellationToken ct = default) =>
        MoveAlias(name, version, alias, actor ?? Environment.UserName, "set directly", ct);

    /// <summary>Removes an alias and records it in the audit trail against the version it pointed at.</summary>
    /// <exception cref="CairnException">Not found when the model has no such alias.</exception>
    public async Task DeleteAliasAsync(string name, string alias, string? actor = null, CancellationToken ct = default)
    {
        var holder = await Registry.GetModelVersionByAliasAsync(name, alias, ct).ConfigureAwait(false);
        await Registry.DeleteAliasAsync(name, alias, ct).ConfigureAwait(false);
        await Audit(name, holder.Version, alias, TransitionAction.AliasDeleted, actor ?? Environment.UserName, "removed directly", null, null, ct).ConfigureAwait(false);
    }

    private async Task MoveAlias(string name, string version, string alias, string who, string comment, CancellationToken ct)
    {
        // Every way an alias moves (set, promote, approve) passes here, so a signed-only alias holds for all.
        await new Signing.ModelSignatures(client).RequireForAliasAsync(name, alias, version, ct).ConfigureAwait(false);
        await Registry.SetAliasAsync(name, alias, version, ct).ConfigureAwait(false);
        await Audit(name, version, alias, TransitionAction.AliasMoved, who, comment, null, null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A request is pending when nothing settled it since: no approval, rejection or move of this
    /// version to the alias. Its gate failed, or a server protecting the alias refused the move.
    /// </summary>
    private async Task RequirePending(string name, string version, string alias, CancellationToken ct)
    {
        var history = await Registry.ListTransitionsAsync(name, null, ct).ConfigureAwait(false);
        var request = history.Select((t, at) => (t, at)).LastOrDefault(x => x.t.Version == version && x.t.Alias == alias && x.t.Action == TransitionAction.Requested);
        var since = request.t is null ? [] : history.Skip(request.at + 1).ToList();
        if (request.t is null || since.Any(t => t.Version == version && t.Alias == alias
            && t.Action is TransitionAction.Approved or TransitionAction.Rejected or TransitionAction.AliasMoved))
            throw CairnException.InvalidState($"There is no pending promotion of {name} version {version} to '{alias}': request one with 'cairn models promote'.");
        // The gate compared this version with the alias's holder of that moment: once the alias has
        // moved (or gone) since, the request no longer describes what approving would replace.
        var moved = since.LastOrDefault(t => t.Alias == alias && t.Action is TransitionAction.AliasMoved or TransitionAction.AliasDeleted);
        if (moved is not null)
            throw CairnException.InvalidState($"'{alias}' of {name} has {(moved.Action == TransitionAction.AliasDeleted ? "been removed" : $"moved to version {moved.Version}")} since version {version} was requested: " +
                $"request the promotion again with 'cairn models promote {name} --version {version} --to {alias}' so the gate compares with what it would replace.");
    }

    private Task Audit(string name, string version, string alias, TransitionAction action, string who, string? comment, string? gate, string? details, CancellationToken ct) =>
        Registry.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, version, alias, action, who, Now, comment, gate, details), ct);

    private async Task<Run?> RunOf(ModelVersion version, CancellationToken ct) =>
        version.RunId is null ? null : await Tracking.GetRunAsync(version.RunId, ct).ConfigureAwait(false);

    /// <summary>
    /// A key that neither run logged is a mistake in the gate (a typo such as metrics.acu), not a
    /// gate that failed: it is refused before anything is recorded, naming the keys there are.
    /// </summary>
    private static void RequireLoggedKeys(PromotionGate gate, Run? candidate, Run? holder)
    {
        var runs = new[] { candidate, holder }.OfType<Run>().ToList();
        if (runs.Count == 0) return; // versions registered without a run: nothing to check against
        foreach (var reference in gate.References)
        {
            var isMetric = reference.Kind == "metrics";
            var logged = runs.SelectMany(r => isMetric ? r.Data.Metrics.Select(m => m.Key) : r.Data.Params.Select(p => p.Key))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            if (logged.Contains(reference.Key)) continue;
            var what = isMetric ? "metric" : "param";
            throw CairnException.InvalidParameter(
                $"The gate names {reference}, but no {what} '{reference.Key}' was logged by the candidate{(holder is null ? "" : " or the champion")}. " +
                (logged.Count == 0 ? $"They logged no {what}s." : $"Their {what}s: {string.Join(", ", logged)}."));
        }
    }

    private static double? Value(Run? run, GateReference reference)
    {
        if (run is null) return null;
        if (reference.Kind == "metrics") return run.Data.Metrics.FirstOrDefault(m => m.Key == reference.Key)?.Value;
        var param = run.Data.Params.FirstOrDefault(p => p.Key == reference.Key)?.Value;
        return double.TryParse(param, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    // ---------------------------------------------------------------- lineage and cards

    /// <summary>The lineage of a registered version: its run and experiment, parent and sibling runs, the feature view versions behind its data, package manifest and registry history.</summary>
    /// <param name="uri"><c>models:/name/version</c> or <c>models:/name@alias</c>.</param>
    /// <param name="ct">Cancels the store calls.</param>
    /// <exception cref="CairnException">The URI is a <c>runs:/</c> URI or names nothing in the registry.</exception>
    public async Task<ModelLineage> LineageAsync(string uri, CancellationToken ct = default)
    {
        var (version, packagePath) = await ResolveAsync(uri, ct).ConfigureAwait(false);
        if (version is null) throw CairnException.InvalidParameter("Lineage is recorded for registered versions: pass models:/<name>/<version> or models:/<name>@<alias>.");
        var run = await RunOf(version, ct).ConfigureAwait(false);
        var experiment = run is null ? null : await Tracking.GetExperimentAsync(run.Info.ExperimentId, ct).ConfigureAwait(false);
        var history = await Registry.ListTransitionsAsync(version.Name, version.Version, ct).ConfigureAwait(false);
        var manifest = await ReadManifest(packagePath, ct).ConfigureAwait(false);
        var (parent, siblings) = await ParentRunAsync(run, ct).ConfigureAwait(false);
        var featureViews = await ModelFeatureViews.ReadAsync(run, client.Datasets, ct).ConfigureAwait(false);
        return new ModelLineage(version, run, experiment?.Name, packagePath, manifest, history)
        {
            ParentRun = parent, SiblingRuns = siblings, FeatureViews = featureViews,
        };
    }

    /// <summary>
    /// The run that started the model's run (MLflow's <c>mlflow.parentRunId</c>: a pipeline run for a
    /// pipeline's step) and that parent's other children, whose data inputs are the model's data too.
    /// </summary>
    private async Task<(Run? Parent, IReadOnlyList<Run> Siblings)> ParentRunAsync(Run? run, CancellationToken ct)
    {
        var parentId = run?.Data.Tags.FirstOrDefault(t => t.Key == ParentRunTag)?.Value;
        if (run is null || string.IsNullOrEmpty(parentId) || parentId.Contains('\'')) return (null, []);
        Run parent;
        try
        {
            parent = await Tracking.GetRunAsync(parentId, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return (null, []);
        }
        var siblings = new List<Run>();
        string? token = null;
        do
        {
            var page = await Tracking.SearchRunsAsync(new RunQuery([parent.Info.ExperimentId], $"tags.`{ParentRunTag}` = '{parentId}'",
                MaxResults: 1000, OrderBy: ["attributes.start_time ASC"], PageToken: token), ct).ConfigureAwait(false);
            siblings.AddRange(page.Items.Where(r => r.Info.RunId != run.Info.RunId));
            token = page.NextPageToken;
        } while (token is not null && siblings.Count < 10_000);
        return (parent, siblings);
    }

    private const string ParentRunTag = MlflowTags.ParentRunId;

    private async Task<ModelManifest?> ReadManifest(string packagePath, CancellationToken ct)
    {
        try
        {
            await using var stream = await client.Artifacts.OpenReadAsync(ArtifactPath.Combine(packagePath, ModelManifest.FileName), ct).ConfigureAwait(false);
            return ModelManifest.Parse(await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false));
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>The artifact store path of a version's model card: <c>registry/name/version/model_card.md</c>.</summary>
    public static string CardPath(string name, string version) => ArtifactPath.Combine("registry", $"{name}/{version}/model_card.md");

    /// <summary>Generates the version's model card (markdown) and stores it as an artifact; returns its text.</summary>
    public async Task<string> WriteCardAsync(string name, string version, CancellationToken ct = default)
    {
        var lineage = await LineageAsync($"models:/{name}/{version}", ct).ConfigureAwait(false);
        string? example = null;
        if (lineage.Manifest?.InputExampleFile is { } file)
        {
            try
            {
                await using var stream = await client.Artifacts.OpenReadAsync(ArtifactPath.Combine(lineage.PackagePath, file), ct).ConfigureAwait(false);
                example = await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false);
            }
            catch (CairnException) { }
        }
        var explanation = await ReadExplanationAsync(name, version, ct).ConfigureAwait(false);
        var card = ModelCard.Render(lineage, example, explanation);
        await client.Artifacts.PutAsync(CardPath(name, version), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(card)), ct).ConfigureAwait(false);
        return card;
    }

    /// <summary>The version's stored global explanation (see <see cref="Explain.GlobalExplanation.PathOf"/>), or null when none was computed.</summary>
    /// <exception cref="CairnException">The stored file is not a valid explanation.</exception>
    public async Task<Explain.GlobalExplanation?> ReadExplanationAsync(string name, string version, CancellationToken ct = default)
    {
        try
        {
            await using var stream = await client.Artifacts.OpenReadAsync(Explain.GlobalExplanation.PathOf(name, version), ct).ConfigureAwait(false);
            return Explain.GlobalExplanation.Parse(await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false));
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>The version's stored model card; when none is stored yet, generates and stores it first (see <see cref="WriteCardAsync"/>).</summary>
    public async Task<string> ReadCardAsync(string name, string version, CancellationToken ct = default)
    {
        try
        {
            await using var stream = await client.Artifacts.OpenReadAsync(CardPath(name, version), ct).ConfigureAwait(false);
            return await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return await WriteCardAsync(name, version, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>The trail of one model version: the run, its data and code, the registry history.</summary>
public sealed record ModelLineage(ModelVersion Version, Run? Run, string? ExperimentName, string PackagePath, ModelManifest? Manifest, IReadOnlyList<ModelTransition> History)
{
    /// <summary>The run that started the model's run, such as the pipeline run of a pipeline's train step.</summary>
    public Run? ParentRun { get; init; }
    /// <summary>The parent's other child runs (the pipeline's other steps).</summary>
    public IReadOnlyList<Run> SiblingRuns { get; init; } = [];

    /// <summary>
    /// The feature view versions the model was trained on: reached from the run's <c>data:/</c> inputs
    /// through their <c>derived_from</c> edges (see <see cref="ModelFeatureViews"/>).
    /// </summary>
    public IReadOnlyList<ModelFeatureView> FeatureViews { get; init; } = [];

    /// <summary>The value of a tag of the model's run; null when there is no run or no such tag.</summary>
    public string? Tag(string key) => Run?.Data.Tags.FirstOrDefault(t => t.Key == key)?.Value;

    /// <summary>The dataset versions the parent run's other children consumed, each with the run (step) that read it.</summary>
    public IReadOnlyList<string> UpstreamDataInputs => SiblingRuns
        .SelectMany(r => Describe(r).Select(input => $"{input} in '{r.Info.RunName}'")).Distinct().ToList();

    /// <summary>
    /// The datasets the run consumed (its logged inputs): a named version as
    /// "data:/name@N (context, digest)", anything else as "name@digest (context, source)".
    /// </summary>
    public IReadOnlyList<string> DataInputs => Run is null ? [] : Describe(Run);

    private static List<string> Describe(Run run) => run.Inputs?.DatasetInputs
        .Select(i => i.Dataset.SourceType == ActiveRun.DatasetSourceType
            ? $"{i.Dataset.Source} ({i.Context ?? "input"}, {i.Dataset.Digest})"
            : $"{i.Dataset.Name}@{i.Dataset.Digest} ({i.Context ?? "input"}, {i.Dataset.Source})").ToList() ?? [];
}
