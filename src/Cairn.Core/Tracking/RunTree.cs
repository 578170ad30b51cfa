namespace Cairn.Tracking;

/// <summary>
/// A run placed in a tree of nested runs: how deep it is (0 for a top-level run), and the text
/// guide that draws its branch in a terminal (<c>"├─ "</c>, <c>"│  └─ "</c>; empty at the top level).
/// </summary>
public sealed record RunTreeRow(Run Run, int Depth, string Guide);

/// <summary>
/// Orders a list of runs so that each child follows its parent (MLflow's <c>mlflow.parentRunId</c>),
/// keeping the list's own order among siblings. A run whose parent is not in the list is shown at
/// the top level, so a page of results never hides a run; a cycle of hand-edited tags is broken
/// where it is found, never followed forever.
/// </summary>
public static class RunTree
{
    /// <summary>Guides stop widening below this depth, so a hand-made chain of thousands of runs stays printable.</summary>
    public const int MaxGuideDepth = 32;

    public static IReadOnlyList<RunTreeRow> Order(IReadOnlyList<Run> runs)
    {
        var present = runs.Select(r => r.Info.RunId).ToHashSet(StringComparer.Ordinal);
        var children = new Dictionary<string, List<Run>>(StringComparer.Ordinal);
        var roots = new List<Run>();
        foreach (var run in runs)
        {
            var parent = MlflowTags.ParentOf(run);
            if (parent is null || parent == run.Info.RunId || !present.Contains(parent)) roots.Add(run);
            else
            {
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                list.Add(run);
            }
        }
        var rows = new List<RunTreeRow>(runs.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots) Place(root, children, placed, rows);
        // Runs left over sit on a cycle (A's parent is B, B's parent is A): show them at the top level.
        foreach (var run in runs) Place(run, children, placed, rows);
        return rows;
    }

    /// <summary>Adds <paramref name="top"/> and its descendants depth first, without recursion (a chain of runs can be long).</summary>
    private static void Place(Run top, Dictionary<string, List<Run>> children, HashSet<string> placed, List<RunTreeRow> rows)
    {
        if (placed.Contains(top.Info.RunId)) return;
        var stack = new Stack<(Run Run, int Depth, bool Last, string Indent)>();
        stack.Push((top, 0, true, ""));
        while (stack.TryPop(out var item))
        {
            if (!placed.Add(item.Run.Info.RunId)) continue;
            var guide = item.Depth == 0 ? "" : item.Indent + (item.Last ? "└─ " : "├─ ");
            rows.Add(new RunTreeRow(item.Run, item.Depth, guide));
            if (!children.TryGetValue(item.Run.Info.RunId, out var kids)) continue;
            var pending = kids.Where(k => !placed.Contains(k.Info.RunId)).ToList();
            var indent = item.Depth == 0 || item.Depth >= MaxGuideDepth ? item.Indent : item.Indent + (item.Last ? "   " : "│  ");
            for (var i = pending.Count - 1; i >= 0; i--) stack.Push((pending[i], item.Depth + 1, i == pending.Count - 1, indent));
        }
    }
}
