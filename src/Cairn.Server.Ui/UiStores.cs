using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Monitoring;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Server.Ui;

/// <summary>The stores the pages read, the same ones the REST API serves; pages never touch SQL.</summary>
public sealed record UiStores(ITrackingStore Tracking, IRegistryStore Registry, IArtifactStore Artifacts, IDatasetStore Datasets, TimeProvider Time)
{
    /// <summary>Monitors, their runs and alerts; null: the monitor pages say monitoring is not configured.</summary>
    public IMonitorStore? Monitors { get; init; }
}
