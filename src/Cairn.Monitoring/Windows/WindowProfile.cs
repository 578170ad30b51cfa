namespace Cairn.Monitoring;

/// <summary>The profile of one side of a comparison (the reference or the current window), fed by the readers.</summary>
public sealed class WindowProfile : IColumnSink
{
    public DatasetProfile Profile { get; } = new();

    public WindowProfile(IReadOnlyList<MonitoredColumn> columns)
    {
        // Every compared column exists in the profile, even when no row reaches it (an empty window).
        foreach (var column in columns)
        {
            if (column.Kind == MonitoredKind.Numeric) Profile.Numeric(column.Name);
            else Profile.Categorical(column.Name);
        }
    }

    public void AddNumbers(string column, ReadOnlySpan<double> values, int typeViolations)
    {
        var profile = Profile.Numeric(column);
        profile.AddNumbers(values);
        if (typeViolations > 0) profile.AddTypeViolations(typeViolations);
    }

    public void AddTexts(string column, ReadOnlySpan<string?> values) => Profile.Categorical(column).AddStrings(values);

    public void AddRows(int count) => Profile.AddRows(count);
}
