using Cairn.Data;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: version-data</c>: stores a data file or folder of the workspace in the data cache and
/// names it as a dataset version, as <c>cairn data add</c> and <c>cairn data tag</c> do. With
/// <c>source</c>, the file is first copied in from there (it may lie outside the pipeline's folder:
/// it is only read). Unchanged content gives the same version, so downstream steps stay cached.
/// </summary>
/// <remarks>
/// with: <c>name</c> (the dataset), <c>path</c> (in the workspace; default with a source: <c>data/&lt;name&gt;&lt;its extension&gt;</c>), <c>source</c> (optional),
/// <c>description</c> (optional). Outputs: <c>uri</c> (<c>data:/name@N</c>), <c>version</c>, <c>digest</c>.
/// </remarks>
public sealed class VersionDataStep : IPipelineStep
{
    public const string Kind = "version-data";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "name", "path", "source", "description");
        var client = StepRunLog.Client(context);
        var name = context.Require("name");
        try
        {
            DatasetNames.Validate(name);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, "name", $"('{name}') is not a dataset name: {e.Message}");
        }
        var source = context.Optional("source");
        var relative = context.Optional("path")
            ?? (source is not null ? $"data/{name}{Path.GetExtension(source)}" : throw new StepFailedException($"step '{context.StepName}' needs 'with.path' (or 'with.source' to copy in)."));
        var path = context.WorkspacePath(relative);
        if (source is not null)
        {
            var from = Path.GetFullPath(source, context.Workspace);
            if (!File.Exists(from)) throw StepArgs.Invalid(context, "source", $"('{source}') is not a file.");
            CopyIfChanged(from, path);
            context.Log.WriteLine($"copied {source} to {relative}");
        }
        else if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw StepArgs.Invalid(context, "path", $"('{relative}') does not exist; give with.source to copy it in.");
        }

        DataWorkspace workspace;
        try
        {
            workspace = DataWorkspace.Open(context.Workspace);
        }
        catch (CairnException e)
        {
            throw new StepFailedException($"step '{context.StepName}': dataset versions live in a git workspace, and {context.Workspace} is not in one ({e.Message}). Run `git init` there.");
        }
        using (workspace)
        {
            await workspace.AddAsync(path, ct).ConfigureAwait(false);
            var (version, warnings) = await DatasetTagging.TagAsync(workspace, client.Datasets, path, name, context.Optional("description"), Environment.UserName, ct)
                .ConfigureAwait(false);
            // The pointer is not committed by a pipeline: the version is still found by its digest in the data cache.
            foreach (var w in warnings) context.Log.WriteLine(w);
            var uri = version.ToUri().ToString();
            await StepRunLog.ParamsAsync(context, new Dictionary<string, string>
            {
                ["dataset"] = uri, ["dataset_digest"] = version.Digest, ["dataset_path"] = relative,
            }, ct).ConfigureAwait(false);
            await StepRunLog.InputAsync(context, uri, "versioned", ct).ConfigureAwait(false);
            context.SetOutput("uri", uri);
            context.SetOutput("version", version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.SetOutput("digest", version.Digest);
            context.Log.WriteLine($"{uri} ({version.Digest})");
        }
    }

    /// <summary>Copies keeping the modification time, so the data cache's stat check skips hashing an unchanged copy.</summary>
    private static void CopyIfChanged(string from, string to)
    {
        var source = new FileInfo(from);
        var target = new FileInfo(to);
        if (target.Exists && target.Length == source.Length && target.LastWriteTimeUtc == source.LastWriteTimeUtc) return;
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
        File.SetLastWriteTimeUtc(to, source.LastWriteTimeUtc);
    }
}
