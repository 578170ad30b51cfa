using Prometheus;

namespace Cairn.Serving;

/// <summary>The server's Prometheus metrics, per model version: requests, errors, latency, batch sizes, queue depth, log drops.</summary>
public sealed class ServingMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();
    public Counter Requests { get; }
    public Counter Errors { get; }
    public Histogram Latency { get; }
    public Histogram BatchRows { get; }
    public Gauge QueueDepth { get; }
    public Counter LogDropped { get; }

    public ServingMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        string[] labels = ["model", "version", "protocol"];
        Requests = factory.CreateCounter("cairn_inference_requests_total", "Inference requests answered.", labels);
        Errors = factory.CreateCounter("cairn_inference_errors_total", "Inference requests answered with an error (4xx or 5xx).", [.. labels, "status"]);
        Latency = factory.CreateHistogram("cairn_inference_request_duration_seconds", "Time to answer an inference request.",
            new HistogramConfiguration { LabelNames = labels, Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        BatchRows = factory.CreateHistogram("cairn_inference_batch_rows", "Rows scored per call of the model.",
            new HistogramConfiguration { LabelNames = ["model", "version"], Buckets = Histogram.ExponentialBuckets(1, 2, 14) });
        QueueDepth = factory.CreateGauge("cairn_inference_queue_depth", "Requests waiting for the model.", ["model", "version"]);
        LogDropped = factory.CreateCounter("cairn_inference_log_dropped_total", "Inference log rows dropped because the log fell behind.", ["model", "version"]);
    }

    /// <summary>Which protocol a path belongs to, for the metric label.</summary>
    public static string Protocol(string path) =>
        path.StartsWith("/v2", StringComparison.Ordinal) ? "oip-v2"
        : path.StartsWith("/v1/", StringComparison.Ordinal) ? "kserve-v1"
        : path == "/invocations" ? "mlflow"
        : path == "/score" ? "azure"
        : "vertex";
}
