using Cairn.Models;

namespace Cairn.Pipelines.Steps;

/// <summary><c>uses: register</c>: registers a logged model (<c>runs:/id/model</c>) as the next version of a registered model.</summary>
/// <remarks>with: <c>model</c>, <c>name</c>, <c>description</c> (optional). Outputs: <c>version</c>, <c>model_uri</c> (<c>models:/name/N</c>).</remarks>
public sealed class RegisterStep : IPipelineStep
{
    public const string Kind = "register";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "model", "name", "description");
        var client = StepRunLog.Client(context);
        var model = context.Require("model");
        var name = context.Require("name");
        if (!model.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
            throw StepArgs.Invalid(context, "model", $"is '{model}': register a model logged by a run, runs:/<run_id>/<path> (the 'model' output of train).");
        Cairn.Registry.ModelVersion version;
        try
        {
            Cairn.Registry.RegistryNames.ValidateModelName(name);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, "name", $"('{name}') is not a model name: {e.Message}");
        }
        try
        {
            version = await new ModelRegistry(client).RegisterAsync(model, name, context.Optional("description"), ct: ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, "model", $"({model}) cannot be registered: {e.Message}");
        }
        var uri = $"models:/{name}/{version.Version}";
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["model"] = model, ["registered_model"] = name, ["version"] = version.Version }, ct)
            .ConfigureAwait(false);
        context.SetOutput("version", version.Version);
        context.SetOutput("model_uri", uri);
        context.Log.WriteLine($"registered {model} as {uri}");
    }
}
