using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Writes a run's Jobs for <c>--dry-run --out FOLDER</c>: one YAML file per step, named after its
/// Job (already DNS-safe, so no step name can steer a file elsewhere).
/// </summary>
public static class KubernetesManifestFolder
{
    /// <summary>Creates <paramref name="folder"/> if need be and writes one file per Job; returns the files' paths.</summary>
    public static IReadOnlyList<string> Write(string folder, IReadOnlyList<V1Job> jobs)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw CairnException.InvalidParameter("The output folder is empty; give a folder for the manifests.");
        if (File.Exists(folder)) throw CairnException.InvalidParameter($"The output path '{folder}' is a file; give a folder for the manifests.");
        try
        {
            Directory.CreateDirectory(folder);
            var written = new List<string>(jobs.Count);
            foreach (var job in jobs)
            {
                // Jobs built here always pass; a Job from elsewhere must not name a path.
                var name = job.Metadata?.Name;
                if (!KubernetesNames.IsDnsLabel(name))
                    throw CairnException.InvalidParameter($"The Job name '{KubernetesNames.Printable(job.Metadata?.Name ?? "")}' is not a DNS label; no manifest was written for it.");
                var path = Path.Combine(folder, name + ".yaml");
                WriteReplacing(path, KubernetesYaml.Serialize(job));
                written.Add(path);
            }
            return written;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CairnException.InvalidParameter($"Cannot write the manifests to '{folder}': {e.Message}");
        }
    }

    /// <summary>Writes beside the target and moves over it, so a link already at that name is replaced, never followed.</summary>
    private static void WriteReplacing(string path, string text)
    {
        var temporary = path + $".{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
