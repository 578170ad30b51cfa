using Cairn.Artifacts;

namespace Cairn.Pipelines;

/// <summary>
/// A step's outputs after it ran: values from <c>$CAIRN_OUTPUTS</c> or the step's context, files and
/// folders at their declared paths (digested and stored as artifacts of the step run, so a cache
/// hit elsewhere can bring them back).
/// </summary>
public static class StepOutputs
{
    public static async Task<StepRecord> CollectAsync(CairnClient client, ResolvedStep step, StepContext context, string outputsFile,
        string stepRunId, string workspace, CancellationToken ct)
    {
        var who = $"step '{step.Name}'";
        var written = StepOutputsFile.Read(outputsFile, who);
        var declared = step.Definition.Outputs;
        // Built-in kinds offer several outputs; the pipeline declares those it uses, and the rest are dropped.
        foreach (var (k, v) in context.Outputs)
            if (step.Definition.Kind != StepKind.Builtin || declared.Any(o => o.Name == k)) written[k] = v;
        foreach (var name in written.Keys)
            if (declared.All(o => o.Name != name))
                throw new StepFailedException($"{who} wrote the output '{name}', which it does not declare; declare it under 'outputs'.");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        var run = declared.Any(o => o.IsPath) ? await client.Tracking.GetRunAsync(stepRunId, ct).ConfigureAwait(false) : null;
        foreach (var output in declared)
        {
            if (!output.IsPath)
            {
                values[output.Name] = written.TryGetValue(output.Name, out var v) ? v
                    : throw new StepFailedException($"{who} did not write its output '{output.Name}' (a line {output.Name}=<value> in $CAIRN_OUTPUTS).");
                continue;
            }
            var relative = step.OutputPaths[output.Name];
            var full = WorkspacePaths.Resolve(workspace, relative, who);
            var digest = ContentDigests.Of(full) ?? throw new StepFailedException($"{who} did not write its output '{output.Name}' at {relative}.");
            values[output.Name] = relative;
            digests[output.Name] = digest;
            var target = ArtifactPath.Combine(ArtifactPath.FromUri(run!.Info.ArtifactUri), $"{PipelineTags.OutputsArtifactFolder}/{output.Name}");
            if (File.Exists(full)) await PutAsync(client, target, full, ct).ConfigureAwait(false);
            else
                foreach (var file in Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
                    await PutAsync(client, ArtifactPath.Combine(target, Path.GetRelativePath(full, file).Replace('\\', '/')), file, ct).ConfigureAwait(false);
        }
        return new StepRecord(stepRunId, values, digests);
    }

    /// <summary>Brings a cached step's files back where they are missing or differ.</summary>
    /// <exception cref="StepFailedException">When they cannot be brought back.</exception>
    public static async Task RestoreAsync(CairnClient client, ResolvedStep step, StepRecord cached, string workspace, CancellationToken ct)
    {
        foreach (var (name, digest) in cached.Digests)
        {
            if (!step.OutputPaths.TryGetValue(name, out var relative)) continue;
            var full = WorkspacePaths.Resolve(workspace, relative, $"step '{step.Name}'");
            if (ContentDigests.Of(full) == digest) continue;
            try
            {
                if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
                else if (File.Exists(full)) File.Delete(full);
                var folder = Path.GetDirectoryName(full);
                if (folder is not null) Directory.CreateDirectory(folder);
                await client.DownloadArtifactsAsync(new RunUri(cached.RunId, $"{PipelineTags.OutputsArtifactFolder}/{name}"), full, ct).ConfigureAwait(false);
            }
            catch (CairnException e)
            {
                throw new StepFailedException($"step '{step.Name}': the cached output '{name}' of run {cached.RunId} cannot be restored: {e.Message}");
            }
            if (ContentDigests.Of(full) != digest)
                throw new StepFailedException($"step '{step.Name}': the cached output '{name}' of run {cached.RunId} does not match its digest.");
        }
    }

    private static async Task PutAsync(CairnClient client, string target, string file, CancellationToken ct)
    {
        await using var input = File.OpenRead(file);
        await client.Artifacts.PutAsync(target, input, ct).ConfigureAwait(false);
    }
}
