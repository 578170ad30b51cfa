namespace Cairn.Models.Explain;

/// <summary>Node covers counted from data (placeholder: the TreeSHAP branch brings the implementation; delete this file when merging it).</summary>
public static class TreeCovers
{
    /// <summary>The ensemble with each node's cover set to how many of <paramref name="data"/>'s vectors reach it.</summary>
    public static TreeEnsemble FromData(TreeEnsemble ensemble, IReadOnlyList<float[]> data) => throw new NotImplementedException();
}
