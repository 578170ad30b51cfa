using System.Security.Cryptography;
using System.Text;

namespace Cairn.Pipelines;

/// <summary>
/// The cache key of a step: its resolved definition, the version of its code, the content of its
/// declared inputs, and the outputs (values and digests) of the steps it depends on. Equal keys
/// mean the step would compute the same thing; retries, timeouts and resources are left out.
/// </summary>
public static class StepCacheKey
{
    public const string Version = "cairn-step-cache/1";

    public static string Compute(ResolvedStep step, IEnumerable<(string Step, StepRecord Record)> upstream,
        Func<string, string> codeVersion, Func<string, string> inputDigest)
    {
        var d = step.Definition;
        var text = new StringBuilder(Version).Append('\n');
        void Line(string key, string? value) => text.Append(key).Append('=').Append(value?.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        Line("kind", d.Kind.ToString());
        Line("run", step.Run);
        Line("image", step.Image);
        Line("uses", d.Uses);
        Line("class", d.Class);
        if (d.Assembly is not null) Line("assembly", inputDigest(d.Assembly));
        if (d.Delegate is { } code) Line("delegate", $"{code.Method.Module.ModuleVersionId}:{code.Method.MetadataToken}");
        foreach (var (k, v) in step.With.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Line("with." + k, v);
        foreach (var (k, v) in step.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Line("env." + k, v);
        foreach (var o in d.Outputs.OrderBy(o => o.Name, StringComparer.Ordinal)) Line("output." + o.Name, step.OutputPaths.GetValueOrDefault(o.Name));
        foreach (var c in d.Code.Order(StringComparer.Ordinal)) Line("code." + c, codeVersion(c));
        foreach (var i in d.Inputs.Order(StringComparer.Ordinal)) Line("input." + i, inputDigest(i));
        foreach (var (name, record) in upstream.OrderBy(u => u.Step, StringComparer.Ordinal))
        {
            foreach (var (k, v) in record.Outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Line($"upstream.{name}.{k}", v);
            foreach (var (k, v) in record.Digests.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Line($"upstream.{name}.{k}.digest", v);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
