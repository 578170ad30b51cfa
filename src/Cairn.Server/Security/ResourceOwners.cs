using System.Collections.Concurrent;
using Cairn.Artifacts;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Server.Security;

/// <summary>
/// Which experiment a run, a logged model or an artifact path belongs to: permissions are kept per
/// experiment. A run's and a logged model's experiment never change, so they are remembered (up to
/// a bound); names can be changed, so they are looked up each time.
/// </summary>
internal sealed class ResourceOwners(ITrackingStore tracking, ILoggedModelStore? loggedModels, IRegistryStore registry)
{
    /// <summary>The resource type of things that are not experiments or registered models (<see cref="Access.Server"/>).</summary>
    public const string Server = "server";
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, string> experimentOfRun = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> experimentOfModel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> artifactRootOfExperiment = new(StringComparer.Ordinal);

    /// <summary>The run's experiment; null when there is no such run (the endpoint answers 404).</summary>
    public Task<string?> ExperimentOfRunAsync(string runId, CancellationToken ct) =>
        RememberedAsync(experimentOfRun, runId, async () => (await tracking.GetRunAsync(runId, ct)).Info.ExperimentId);

    /// <summary>The logged model's experiment; null when there is no such model.</summary>
    public Task<string?> ExperimentOfLoggedModelAsync(string modelId, CancellationToken ct) =>
        loggedModels is null
            ? Task.FromResult<string?>(null)
            : RememberedAsync(experimentOfModel, modelId, async () => (await loggedModels.GetLoggedModelAsync(modelId, ct)).Info.ExperimentId);

    /// <summary>The id of the experiment with this name; null when there is none.</summary>
    public async Task<string?> ExperimentNamedAsync(string name, CancellationToken ct) =>
        (await tracking.GetExperimentByNameAsync(name, ct))?.ExperimentId;

    /// <summary>
    /// The experiment whose artifact folder is <c>&lt;experiment id&gt;</c> and holds the path (every
    /// experiment created without an artifact location); null for any other path.
    /// </summary>
    public async Task<string?> ExperimentHoldingArtifactAsync(string path, CancellationToken ct)
    {
        string normalized;
        try
        {
            normalized = ArtifactPath.Normalize(path);
        }
        catch (CairnException)
        {
            return null; // the endpoint refuses the path itself
        }
        var first = normalized.Split('/')[0];
        if (first.Length == 0) return null;
        var root = await RememberedAsync(artifactRootOfExperiment, first,
            async () => ArtifactPath.FromUri((await tracking.GetExperimentAsync(first, ct)).ArtifactLocation));
        return root == first ? first : null;
    }

    /// <summary>
    /// The registered models a path under <c>registry/</c> (a version's signatures and card) may
    /// belong to: a name may hold '/', so every leading run of segments that names an existing model
    /// counts, and the caller needs the right on each of them.
    /// </summary>
    public async Task<IReadOnlyList<string>> ModelsHoldingArtifactAsync(string path, CancellationToken ct)
    {
        string normalized;
        try
        {
            normalized = ArtifactPath.Normalize(path);
        }
        catch (CairnException)
        {
            return [];
        }
        var segments = normalized.Split('/');
        if (segments.Length < 3 || segments[0] != RegistryFolder) return [];
        var models = new List<string>();
        for (var end = 2; end < segments.Length; end++)
        {
            var name = string.Join('/', segments[1..end]);
            try
            {
                models.Add((await registry.GetRegisteredModelAsync(name, ct)).Name);
            }
            catch (CairnException e) when (e.ErrorCode is ErrorCodes.ResourceDoesNotExist or ErrorCodes.InvalidParameterValue)
            {
            }
        }
        return models;
    }

    /// <summary>The artifact folder of the registry's own files (signatures, cards) by model name and version.</summary>
    public const string RegistryFolder = "registry";

    private static async Task<string?> RememberedAsync(ConcurrentDictionary<string, string> remembered, string key, Func<Task<string>> find)
    {
        if (remembered.TryGetValue(key, out var known)) return known;
        string found;
        try
        {
            found = await find();
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist || e.ErrorCode == ErrorCodes.InvalidParameterValue)
        {
            return null;
        }
        if (remembered.Count >= MaxRemembered) remembered.Clear();
        remembered[key] = found;
        return found;
    }
}
