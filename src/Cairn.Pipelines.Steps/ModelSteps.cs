using Cairn.Models;

namespace Cairn.Pipelines.Steps;

/// <summary>Loading the model a step names, with errors that name the argument.</summary>
internal static class ModelSteps
{
    public static async Task<LoadedModel> LoadAsync(StepContext context, CairnClient client, string argument, CancellationToken ct)
    {
        var uri = context.Require(argument);
        if (!Registry.ModelUri.IsModelUri(uri) && !uri.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
            throw StepArgs.Invalid(context, argument, $"is '{uri}': name a model as runs:/<run_id>/<path>, models:/<name>/<version> or models:/<name>@<alias>.");
        try
        {
            return await client.LoadModelAsync(uri, ct: ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, argument, $"({uri}) cannot be loaded: {e.Message}");
        }
    }
}
