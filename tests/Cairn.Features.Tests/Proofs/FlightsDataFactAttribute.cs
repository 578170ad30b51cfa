namespace Cairn.Features.Tests.Proofs;

/// <summary>A proof on ../shared/data/flights-3m.parquet: skipped, saying so, where a clone has no shared data (CI has it).</summary>
public sealed class FlightsDataFactAttribute : FactAttribute
{
    public FlightsDataFactAttribute()
    {
        if (Flights3m is null) Skip = "needs ../shared/data/flights-3m.parquet beside the repository (the full data set; CI has it)";
    }

    /// <summary>The 3-million-flight file, or null when ../shared/data is not beside the repository.</summary>
    public static string? Flights3m
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
            var path = dir?.Parent is { } parent ? Path.Combine(parent.FullName, "shared", "data", "flights-3m.parquet") : null;
            return path is not null && File.Exists(path) ? path : null;
        }
    }
}
