namespace Cairn.Pipelines;

/// <summary>
/// The DAG of a pipeline, checked before anything runs: every reference resolves (a parameter that
/// exists, a step that exists and declares that output), built-in kinds are known, and there is no
/// cycle. Errors name the step and, for YAML, the file and line.
/// </summary>
public sealed class PipelineGraph
{
    private readonly Dictionary<string, IReadOnlyList<string>> _upstream;
    private readonly Dictionary<string, List<string>> _downstream;

    public PipelineDefinition Pipeline { get; }
    /// <summary>Steps in an order where each comes after the steps it needs (stable: definition order where free).</summary>
    public IReadOnlyList<StepDefinition> Order { get; }

    private PipelineGraph(PipelineDefinition pipeline, Dictionary<string, IReadOnlyList<string>> upstream, IReadOnlyList<StepDefinition> order)
    {
        Pipeline = pipeline;
        _upstream = upstream;
        Order = order;
        _downstream = pipeline.Steps.ToDictionary(s => s.Name, _ => new List<string>());
        foreach (var (step, ups) in upstream)
            foreach (var up in ups) _downstream[up].Add(step);
    }

    public IReadOnlyList<string> Upstream(string step) => _upstream[step];
    public IReadOnlyList<string> Downstream(string step) => _downstream[step];

    /// <summary>The step and every step that depends on it, directly or not.</summary>
    public IReadOnlySet<string> DownstreamClosure(string step)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([step]);
        while (stack.TryPop(out var s))
            if (seen.Add(s)) foreach (var d in _downstream[s]) stack.Push(d);
        return seen;
    }

    public static PipelineGraph Build(PipelineDefinition pipeline, IReadOnlySet<string> builtinKinds)
    {
        if (!PipelineExpressions.IsIdentifier(pipeline.Name))
            throw CairnException.InvalidParameter($"'{pipeline.Name}' is not a pipeline name: use letters, digits, '_' and '-', starting with a letter.");
        if (pipeline.Steps.Count == 0) throw CairnException.InvalidParameter($"The pipeline {pipeline.Name} has no steps.");
        var steps = new Dictionary<string, StepDefinition>(StringComparer.Ordinal);
        foreach (var s in pipeline.Steps)
        {
            if (!PipelineExpressions.IsIdentifier(s.Name))
                throw Error(s, "the name is not allowed: use letters, digits, '_' and '-', starting with a letter");
            if (!steps.TryAdd(s.Name, s)) throw Error(s, "another step has the same name");
        }
        var parameters = pipeline.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var upstream = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var s in pipeline.Steps)
        {
            CheckKind(s, builtinKinds);
            var outputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var o in s.Outputs)
            {
                if (!PipelineExpressions.IsIdentifier(o.Name)) throw Error(s, $"the output name '{o.Name}' is not allowed: use letters, digits, '_' and '-'");
                if (!outputs.Add(o.Name)) throw Error(s, $"the output '{o.Name}' is declared twice");
            }
            var ups = new List<string>();
            foreach (var (field, text) in s.Texts())
            {
                foreach (var r in PipelineExpressions.References(text, Where(s) + $" ({field})"))
                {
                    switch (r)
                    {
                        case ParameterReference p when !parameters.Contains(p.Name):
                            throw Error(s, $"{field} uses the parameter '{p.Name}', which the pipeline does not declare");
                        case StepOutputReference o:
                            if (o.Step == s.Name) throw Error(s, $"{field} uses its own output '{o.Output}'");
                            if (!steps.TryGetValue(o.Step, out var producer)) throw Error(s, $"{field} uses the output of '{o.Step}', which is not a step of this pipeline");
                            if (producer.Outputs.All(x => x.Name != o.Output))
                                throw Error(s, $"{field} uses '{o.Output}' of step '{o.Step}', which declares " +
                                    (producer.Outputs.Count == 0 ? "no outputs" : "only " + string.Join(", ", producer.Outputs.Select(x => x.Name))));
                            if (!ups.Contains(o.Step)) ups.Add(o.Step);
                            break;
                    }
                }
            }
            foreach (var n in s.Needs)
            {
                if (!steps.ContainsKey(n)) throw Error(s, $"needs: '{n}' is not a step of this pipeline");
                if (n == s.Name) throw Error(s, "needs: the step needs itself");
                if (!ups.Contains(n)) ups.Add(n);
            }
            upstream[s.Name] = ups;
        }
        return new PipelineGraph(pipeline, upstream, TopologicalOrder(pipeline, upstream));
    }

    private static void CheckKind(StepDefinition s, IReadOnlySet<string> builtinKinds)
    {
        switch (s.Kind)
        {
            case StepKind.Shell when string.IsNullOrWhiteSpace(s.Run):
                throw Error(s, "'run' is empty");
            case StepKind.Container when string.IsNullOrWhiteSpace(s.Image):
                throw Error(s, "'image' is empty");
            case StepKind.CSharp when string.IsNullOrWhiteSpace(s.Assembly) || string.IsNullOrWhiteSpace(s.Class):
                throw Error(s, "a C# step needs both 'assembly' and 'class'");
            case StepKind.Builtin when !builtinKinds.Contains(s.Uses ?? ""):
                throw Error(s, $"uses: '{s.Uses}' is not a step kind Cairn knows; the built-in kinds are {string.Join(", ", builtinKinds.Order(StringComparer.Ordinal))}");
            case StepKind.Delegate when s.Delegate is null:
                throw Error(s, "there is no code to run");
        }
        if (s.Retries < 0) throw Error(s, "retries must not be negative");
        if (s.Timeout is { } t && t <= TimeSpan.Zero) throw Error(s, "the timeout must be positive");
    }

    /// <summary>Kahn's algorithm, taking ready steps in definition order; what is left over lies on a cycle.</summary>
    private static List<StepDefinition> TopologicalOrder(PipelineDefinition pipeline, Dictionary<string, IReadOnlyList<string>> upstream)
    {
        var remaining = pipeline.Steps.ToDictionary(s => s.Name, s => upstream[s.Name].Count, StringComparer.Ordinal);
        var downstream = pipeline.Steps.ToDictionary(s => s.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (step, ups) in upstream) foreach (var u in ups) downstream[u].Add(step);
        var index = pipeline.Steps.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var ready = new PriorityQueue<string, int>();
        foreach (var s in pipeline.Steps) if (remaining[s.Name] == 0) ready.Enqueue(s.Name, index[s.Name]);
        var order = new List<StepDefinition>(pipeline.Steps.Count);
        while (ready.TryDequeue(out var name, out _))
        {
            order.Add(pipeline.Steps[index[name]]);
            foreach (var d in downstream[name])
                if (--remaining[d] == 0) ready.Enqueue(d, index[d]);
        }
        if (order.Count < pipeline.Steps.Count)
        {
            var cycle = FindCycle(remaining.Where(kv => kv.Value > 0).Select(kv => kv.Key).ToHashSet(), upstream);
            // Start the cycle at the step defined first, so the message reads in the file's order.
            var start = cycle.IndexOf(cycle.MinBy(n => index[n])!);
            cycle = [.. cycle.Skip(start), .. cycle.Take(start)];
            var first = pipeline.Steps[index[cycle[0]]];
            throw Error(first, $"the steps form a cycle: {string.Join(" -> ", cycle)} -> {cycle[0]}");
        }
        return order;
    }

    private static List<string> FindCycle(HashSet<string> candidates, Dictionary<string, IReadOnlyList<string>> upstream)
    {
        // Every candidate has an upstream step among the candidates; walk until a step repeats.
        var path = new List<string>();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = candidates.Order(StringComparer.Ordinal).First();
        while (!position.ContainsKey(current))
        {
            position[current] = path.Count;
            path.Add(current);
            current = upstream[current].First(candidates.Contains);
        }
        var cycle = path.Skip(position[current]).ToList();
        cycle.Reverse();
        return cycle;
    }

    private static string Where(StepDefinition s) => s.Location is null ? $"step '{s.Name}'" : $"{s.Location}: step '{s.Name}'";

    private static CairnException Error(StepDefinition s, string message) => CairnException.InvalidParameter($"{Where(s)}: {message}.");
}
