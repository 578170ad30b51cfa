using Cairn.Security;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Server.Security;

/// <summary>What a request needs on the resource it is about (MLflow's can_read / can_update / can_manage).</summary>
public enum Need
{
    /// <summary>READ or more.</summary>
    Read,
    /// <summary>EDIT or more: change it, log to it.</summary>
    Update,
    /// <summary>MANAGE: delete it, grant permissions on it.</summary>
    Manage,
}

/// <summary>
/// Who may call an endpoint on a server with --auth, attached to the endpoint where it is mapped
/// (<see cref="AccessRules.Requires{TBuilder}"/>). An endpoint without one is refused to everyone but
/// admins, so a new endpoint is closed until someone decides who may call it.
/// </summary>
public abstract record AccessRule
{
    /// <summary>The resources the request is about and what it needs on each; empty when the rule is decided otherwise.</summary>
    internal virtual ValueTask<IReadOnlyList<Resource>> ResourcesAsync(RequestFields fields, ResourceOwners owners, CancellationToken ct) =>
        ValueTask.FromResult<IReadOnlyList<Resource>>([]);

    /// <summary>The field the rule reads its ids from; null when it reads none.</summary>
    internal virtual Field? ReadsField => null;
}

/// <summary>One resource a request touches: <see cref="ResourceTypes"/>, its id, and what the request needs on it.</summary>
internal readonly record struct Resource(string Type, string Id, Need Need);

/// <summary>The rules endpoints are mapped with.</summary>
public static class Access
{
    /// <summary>Anyone, signed in or not (the probes).</summary>
    public static readonly AccessRule Anyone = new AnyoneRule();

    /// <summary>Any signed-in user; the endpoint itself decides more (creating a resource, searches that leave out what the caller may not read, the user and permission endpoints).</summary>
    public static readonly AccessRule SignedIn = new SignedInRule();

    /// <summary>Admins only.</summary>
    public static readonly AccessRule Admin = new AdminRule();

    /// <summary>
    /// Server-wide things that are not experiments or registered models (datasets, feature definitions,
    /// monitors, schedules, endpoints): the server's default permission decides, admins may always.
    /// </summary>
    public static AccessRule Server(Need need) => new ServerRule(need);

    /// <summary><see cref="Server"/> by the request's method: READ for GET, EDIT for the others (set on a group; a read sent as POST says so itself).</summary>
    public static readonly AccessRule Shared = new ServerRule(null);

    /// <summary>One experiment, by id.</summary>
    public static AccessRule Experiment(Need need, Field id) =>
        new ResourceRule(id, (f, _, _) => Task.FromResult(f.Values(id).Select(e => new Resource(ResourceTypes.Experiment, e, need)).ToList()));

    /// <summary>Every experiment of a list (searches over runs, logged models).</summary>
    public static AccessRule Experiments(Need need, Field ids) => Experiment(need, ids.List());

    /// <summary>One experiment, by name (an experiment that does not exist is left to the endpoint's 404).</summary>
    public static AccessRule ExperimentNamed(Need need, Field name) =>
        new ResourceRule(name, async (f, owners, ct) =>
        {
            var list = new List<Resource>();
            foreach (var value in f.Values(name))
                if (await owners.ExperimentNamedAsync(value, ct) is { } id) list.Add(new(ResourceTypes.Experiment, id, need));
            return list;
        });

    /// <summary>The experiment of each run named (an unknown run is left to the endpoint's 404).</summary>
    public static AccessRule Run(Need need, Field id) =>
        new ResourceRule(id, async (f, owners, ct) =>
        {
            var list = new List<Resource>();
            foreach (var value in f.Values(id))
                if (await owners.ExperimentOfRunAsync(value, ct) is { } experiment) list.Add(new(ResourceTypes.Experiment, experiment, need));
            return list;
        });

    /// <summary>The experiment of a logged model (MLflow 3).</summary>
    public static AccessRule LoggedModel(Need need, Field id) =>
        new ResourceRule(id, async (f, owners, ct) =>
        {
            var list = new List<Resource>();
            foreach (var value in f.Values(id))
                if (await owners.ExperimentOfLoggedModelAsync(value, ct) is { } experiment) list.Add(new(ResourceTypes.Experiment, experiment, need));
            return list;
        });

    /// <summary>One registered model, by name (its versions, tags and aliases too).</summary>
    public static AccessRule RegisteredModel(Need need, Field name) =>
        new ResourceRule(name, (f, _, _) => Task.FromResult(f.Values(name).Select(n => new Resource(ResourceTypes.RegisteredModel, n, need)).ToList()));

    /// <summary>
    /// A path in the artifact proxy: the experiment whose default artifact folder holds it
    /// (<c>&lt;experiment id&gt;/...</c>), or the registered model of a <c>registry/&lt;name&gt;/...</c>
    /// path (signatures, cards); a path elsewhere is a server-wide thing.
    /// </summary>
    public static AccessRule ArtifactPath(Need need, Field path) => new ArtifactRule(need, path);
}

/// <summary>Attaching a rule to an endpoint.</summary>
public static class AccessRules
{
    /// <summary>Who may call this endpoint on a server with --auth.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, AccessRule rule) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(rule);
}

internal sealed record AnyoneRule : AccessRule;

internal sealed record SignedInRule : AccessRule;

internal sealed record AdminRule : AccessRule;

internal sealed record ServerRule(Need? Need) : AccessRule;

internal sealed record ResourceRule(Field Field, Func<RequestFields, ResourceOwners, CancellationToken, Task<List<Resource>>> Find) : AccessRule
{
    internal override async ValueTask<IReadOnlyList<Resource>> ResourcesAsync(RequestFields fields, ResourceOwners owners, CancellationToken ct) =>
        await Find(fields, owners, ct);

    internal override Field? ReadsField => Field;
}

internal sealed record ArtifactRule(Need Need, Field Path) : AccessRule
{
    internal override Field? ReadsField => Path;

    internal override async ValueTask<IReadOnlyList<Resource>> ResourcesAsync(RequestFields fields, ResourceOwners owners, CancellationToken ct)
    {
        var list = new List<Resource>();
        foreach (var path in fields.Values(Path))
        {
            if (await owners.ExperimentHoldingArtifactAsync(path, ct) is { } experiment)
                list.Add(new(ResourceTypes.Experiment, experiment, Need));
            else if (await owners.ModelsHoldingArtifactAsync(path, ct) is { Count: > 0 } models)
                list.AddRange(models.Select(m => new Resource(ResourceTypes.RegisteredModel, m, Need)));
            else
                list.Add(new(ResourceOwners.Server, "", Need));
        }
        return list;
    }
}
