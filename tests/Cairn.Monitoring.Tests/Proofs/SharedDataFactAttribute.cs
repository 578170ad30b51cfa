namespace Cairn.Monitoring.Tests.Proofs;

/// <summary>A proof on the full real data sets in ../shared/data: skipped, saying so, where a clone has none (CI has them).</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Flights3m is null) Skip = "needs ../shared/data/flights-3m.parquet beside the repository (the full data set; CI has it)";
    }
}

public static class SharedData
{
    /// <summary>The 3-million-flight data set, or null when ../shared/data is not beside the repository.</summary>
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
