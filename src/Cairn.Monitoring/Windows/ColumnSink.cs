namespace Cairn.Monitoring;

/// <summary>Whether a monitored column is compared as numbers or as categories; decided by the reference's column type.</summary>
public enum MonitoredKind { Numeric, Categorical }

/// <summary>A column a monitor compares: its name in reports and rules, and how it is compared.</summary>
public sealed record MonitoredColumn(string Name, MonitoredKind Kind);

/// <summary>Where a window's values go, one batch of one column at a time (the profiles of the window).</summary>
public interface IColumnSink
{
    /// <param name="values">The batch's numbers, NaN for a missing value.</param>
    /// <param name="typeViolations">Values in the batch that were present but not numbers (not in <paramref name="values"/>).</param>
    void AddNumbers(string column, ReadOnlySpan<double> values, int typeViolations);

    /// <param name="values">null for a missing value.</param>
    void AddTexts(string column, ReadOnlySpan<string?> values);

    void AddRows(int count);
}
