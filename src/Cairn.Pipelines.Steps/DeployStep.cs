using System.Diagnostics;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Pipelines.Steps;

/// <summary>Writes a container build context that serves a model package (the CLI's image packaging, which knows the cairn build).</summary>
public delegate void ImageContextWriter(string contextFolder, string packageFolder, string modelName, string version);

/// <summary>
/// <c>uses: deploy</c>: makes a registered model deployable. Always writes the verified model package
/// and <c>deployment.json</c> (what to serve, and the command that serves it) to <c>output</c>; with
/// <c>image</c>, also writes the OCI build context and, with <c>build: true</c>, builds the image with podman.
/// </summary>
/// <remarks>
/// with: <c>model</c> (<c>models:/name/N</c> or <c>models:/name@alias</c>), <c>output</c> (a folder in the
/// workspace), <c>image</c> (a tag such as <c>delay:4</c>), <c>build</c> (default false).
/// Outputs: <c>model_uri</c> (the version served, <c>models:/name/N</c>), <c>folder</c>, <c>image</c>.
/// </remarks>
public sealed class DeployStep(ImageContextWriter? imageContext = null, string podman = "podman") : IPipelineStep
{
    public const string Kind = "deploy";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "model", "output", "image", "build");
        var client = StepRunLog.Client(context);
        var model = context.Require("model");
        if (!Registry.ModelUri.IsModelUri(model))
            throw StepArgs.Invalid(context, "model", $"is '{model}': deploy a registered version, models:/<name>/<version> or models:/<name>@<alias>.");
        var output = context.WorkspacePath(context.Require("output"));
        var image = context.Optional("image");
        var build = StepArgs.Bool(context, "build", false);
        if (build && image is null) throw StepArgs.Invalid(context, "build", "needs with.image, the tag to build.");
        if (image is not null && !System.Text.RegularExpressions.Regex.IsMatch(image, @"^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_.-]+)?$"))
            throw StepArgs.Invalid(context, "image", $"is '{image}': write an image name and tag such as delay:4.");
        if (image is not null && imageContext is null)
            throw StepArgs.Invalid(context, "image", "needs the cairn command to package the server: run the pipeline with cairn.");

        var registry = new ModelRegistry(client);
        Registry.ModelVersion version;
        string packagePath;
        try
        {
            var resolved = await registry.ResolveAsync(model, ct).ConfigureAwait(false);
            (version, packagePath) = (resolved.Version!, resolved.PackagePath);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, "model", $"({model}) cannot be resolved: {e.Message}");
        }
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var package = Path.Combine(output, "model");
        await registry.DownloadPackageAsync(packagePath, package, ct).ConfigureAwait(false);
        ModelPackage.Open(package); // verify the digests before shipping them
        var uri = $"models:/{version.Name}/{version.Version}";
        if (image is not null)
        {
            imageContext!(Path.Combine(output, "image"), package, version.Name, version.Version);
            if (build) await BuildAsync(context, image, Path.Combine(output, "image"), ct).ConfigureAwait(false);
        }
        var manifest = new Dictionary<string, object?>
        {
            ["model_uri"] = uri, ["requested"] = model, ["name"] = version.Name, ["version"] = version.Version,
            ["package"] = "model", ["serve"] = $"cairn serve {uri} --name {version.Name} --version {version.Version}",
            ["image"] = image, ["image_context"] = image is null ? null : "image", ["built"] = build,
        };
        await File.WriteAllTextAsync(Path.Combine(output, "deployment.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }), ct)
            .ConfigureAwait(false);
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["model"] = uri, ["image"] = image ?? "", ["built"] = build ? "true" : "false" }, ct)
            .ConfigureAwait(false);
        context.SetOutput("model_uri", uri);
        context.SetOutput("folder", context.Require("output"));
        context.SetOutput("image", build ? image! : "");
        context.Log.WriteLine($"{uri} ready to serve in {context.Require("output")}" + (build ? $", image {image}" : ""));
    }

    private async Task BuildAsync(StepContext context, string image, string folder, CancellationToken ct)
    {
        var start = new ProcessStartInfo(podman) { ArgumentList = { "build", "-t", image, folder } };
        var code = await ChildProcesses.RunAsync(start, context.Log, null, ct).ConfigureAwait(false);
        if (code != 0) throw new StepFailedException($"step '{context.StepName}': podman could not build {image} (exit code {code}); see the step's log.");
    }
}
