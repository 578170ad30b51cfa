using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>A test on a real one-node Slurm cluster; skipped, with the reason, where slurm-wlm and munge are missing or not root.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Unavailable is { } why) Skip = why;
    }
}
