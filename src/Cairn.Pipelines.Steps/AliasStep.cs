using Cairn.Models;

namespace Cairn.Pipelines.Steps;

/// <summary><c>uses: alias</c>: points an alias (<c>challenger</c>, <c>champion</c>, ...) of a registered model at a version.</summary>
/// <remarks>with: <c>name</c>, <c>version</c>, <c>alias</c>. Outputs: <c>model_uri</c> (<c>models:/name@alias</c>), <c>previous</c> (the version it held before, or empty).</remarks>
public sealed class AliasStep : IPipelineStep
{
    public const string Kind = "alias";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "name", "version", "alias");
        var client = StepRunLog.Client(context);
        var name = context.Require("name");
        var version = context.Require("version");
        var alias = context.Require("alias");
        if (!long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            throw StepArgs.Invalid(context, "version", $"is '{version}': give a version number (the 'version' output of register).");
        string? previous = null;
        try
        {
            previous = (await client.Registry.GetModelVersionByAliasAsync(name, alias, ct).ConfigureAwait(false)).Version;
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            // Nobody held it yet.
        }
        try
        {
            await new ModelRegistry(client).SetAliasAsync(name, alias, version, ct: ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw new StepFailedException($"step '{context.StepName}': models:/{name}/{version} cannot be given the alias '{alias}': {e.Message}");
        }
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["registered_model"] = name, ["version"] = version, ["alias"] = alias }, ct)
            .ConfigureAwait(false);
        context.SetOutput("model_uri", $"models:/{name}@{alias}");
        context.SetOutput("previous", previous ?? "");
        context.Log.WriteLine($"models:/{name}@{alias} -> {version}" + (previous is null ? "" : $" (was {previous})"));
    }
}
