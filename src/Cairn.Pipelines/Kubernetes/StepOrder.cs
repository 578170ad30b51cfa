namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Checks that a run's steps form a DAG (unique names, known dependencies, no cycle) and orders
/// them so that each step comes after the steps it depends on; ties keep the order given.
/// </summary>
internal static class StepOrder
{
    public static IReadOnlyList<StepJob> Topological(IReadOnlyList<StepJob> steps)
    {
        if (steps.Count == 0) throw CairnException.InvalidParameter("The pipeline has no steps.");
        var byName = new Dictionary<string, StepJob>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            KubernetesNames.Require("step name", step.Name);
            if (!byName.TryAdd(step.Name, step))
                throw CairnException.InvalidParameter($"Two steps are named '{KubernetesNames.Printable(step.Name)}'; step names must be unique.");
        }
        foreach (var step in steps)
            foreach (var dependency in step.DependsOn)
            {
                if (dependency == step.Name)
                    throw CairnException.InvalidParameter($"Step '{KubernetesNames.Printable(step.Name)}' depends on itself.");
                if (!byName.ContainsKey(dependency))
                    throw CairnException.InvalidParameter($"Step '{KubernetesNames.Printable(step.Name)}' depends on '{KubernetesNames.Printable(dependency)}', which is not a step of this pipeline.");
            }

        // Kahn's algorithm over the given order, so that independent steps keep their places.
        var ordered = new List<StepJob>(steps.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < steps.Count)
        {
            var ready = steps.Where(s => !placed.Contains(s.Name) && s.DependsOn.All(placed.Contains)).ToList();
            if (ready.Count == 0)
            {
                var stuck = steps.Where(s => !placed.Contains(s.Name)).Select(s => KubernetesNames.Printable(s.Name));
                throw CairnException.InvalidParameter($"The steps {string.Join(", ", stuck.Select(n => $"'{n}'"))} cannot be ordered: there is a cycle among their dependencies.");
            }
            foreach (var step in ready)
            {
                ordered.Add(step);
                placed.Add(step.Name);
            }
        }
        return ordered;
    }
}
