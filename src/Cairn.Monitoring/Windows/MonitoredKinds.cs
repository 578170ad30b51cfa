using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

public static class MonitoredKinds
{
    /// <summary>Numbers are compared as distributions, everything else (text, booleans, timestamps) as categories.</summary>
    public static MonitoredKind Of(ColumnType type) => type is ColumnType.Integer or ColumnType.Number ? MonitoredKind.Numeric : MonitoredKind.Categorical;
}
