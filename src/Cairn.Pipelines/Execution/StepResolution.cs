namespace Cairn.Pipelines;

/// <summary>Replaces a step's expressions with the run's values: parameters, outputs of finished steps, the run's id and workspace.</summary>
public static class StepResolution
{
    public static ResolvedStep Resolve(StepDefinition step, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, StepRecord> finished, string pipelineRunId, string workspace)
    {
        string Value(ExpressionReference r) => r switch
        {
            ParameterReference p => parameters[p.Name],
            StepOutputReference o when finished.TryGetValue(o.Step, out var record) =>
                record.Outputs.TryGetValue(o.Output, out var v) ? v : throw new StepFailedException($"step '{step.Name}': step '{o.Step}' left no output '{o.Output}'."),
            StepOutputReference o => throw new StepFailedException($"step '{step.Name}': step '{o.Step}' has not finished."),
            RunReference { Field: "id" } => pipelineRunId,
            RunReference => workspace,
            _ => throw new StepFailedException($"step '{step.Name}': cannot resolve {r.Text}."),
        };
        string Sub(string text, string field) => PipelineExpressions.Substitute(text, Value, $"step '{step.Name}' ({field})");
        Dictionary<string, string> All(IReadOnlyDictionary<string, string> values, string field) =>
            values.ToDictionary(kv => kv.Key, kv => Sub(kv.Value, $"{field}.{kv.Key}"), StringComparer.Ordinal);

        var outputPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in step.Outputs.Where(o => o.IsPath))
        {
            var path = Sub(o.Path!, $"outputs.{o.Name}");
            WorkspacePaths.Resolve(workspace, path, $"step '{step.Name}' (output '{o.Name}')");
            outputPaths[o.Name] = path;
        }
        return new ResolvedStep(step, step.Run is null ? null : Sub(step.Run, "run"), step.Image is null ? null : Sub(step.Image, "image"),
            All(step.With, "with"), All(step.Env, "env"), outputPaths);
    }
}
