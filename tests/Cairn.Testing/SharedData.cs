namespace Cairn.Testing;

/// <summary>The full real data sets in ../shared/data, beside the repository in CI and absent from a plain clone.</summary>
public static class SharedData
{
    /// <summary>The 3-million-flight data set, or null when ../shared/data is not beside the repository.</summary>
    public static string? Flights3m => Find("flights-3m.parquet");

    /// <summary>Why a proof on the shared data is skipped, or null when the data is there.</summary>
    public static string? SkipReason => Flights3m is null
        ? "needs ../shared/data/flights-3m.parquet beside the repository (the full data set; CI has it)"
        : null;

    private static string? Find(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        var path = dir?.Parent is { } parent ? Path.Combine(parent.FullName, "shared", "data", file) : null;
        return path is not null && File.Exists(path) ? path : null;
    }
}

/// <summary>A proof on ../shared/data: skipped, saying so, where a clone has none (CI has it).</summary>
public sealed class SharedDataFactAttribute : Xunit.FactAttribute
{
    /// <summary>Skips the proof when the shared data is absent.</summary>
    public SharedDataFactAttribute() => Skip = SharedData.SkipReason;
}
