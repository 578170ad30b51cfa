using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Deployments;
using Cairn.Features;
using Cairn.Monitoring;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Server.Ui;

/// <summary>The stores the pages read, the same ones the REST API serves; pages never touch SQL.</summary>
public sealed record UiStores(ITrackingStore Tracking, IRegistryStore Registry, IArtifactStore Artifacts, IDatasetStore Datasets, TimeProvider Time)
{
    /// <summary>Monitors, their runs and alerts; null: the monitor pages say monitoring is not configured.</summary>
    public IMonitorStore? Monitors { get; init; }

    /// <summary>Deployment endpoints and their history; null: the endpoint pages say endpoints are not configured.</summary>
    public IEndpointStore? Endpoints { get; init; }

    /// <summary>Registered feature definitions and their versions; null: the feature pages say the feature store is not configured.</summary>
    public IFeatureDefinitionStore? Features { get; init; }

    /// <summary>The online feature store whose view states the view pages show as freshness; null: the pages say there is none.</summary>
    public IOnlineFeatureStore? OnlineStore { get; init; }

    /// <summary>MLflow 3's logged models; null: run pages list none.</summary>
    public ILoggedModelStore? LoggedModels { get; init; }

    /// <summary>
    /// The folder of the Parquet inference log the endpoints' servers write (<c>cairn deploy serve --inference-log</c>),
    /// read for the live figures of an endpoint page; null: no live figures. The default is the one the serving and
    /// monitoring commands use, relative to the server's working folder.
    /// </summary>
    public string? InferenceLog { get; init; } = DefaultInferenceLog;

    public static readonly string DefaultInferenceLog = Path.Combine(TrackingUri.DefaultFolder, "inference-log");
}
