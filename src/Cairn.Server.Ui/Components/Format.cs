using System.Globalization;

namespace Cairn.Server.Ui.Components;

/// <summary>How the pages write times, durations and numbers: UTC, invariant culture.</summary>
public static class Format
{
    public static string Time(long? milliseconds) => milliseconds is { } ms and > 0
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "";

    public static string Duration(long start, long? end)
    {
        if (end is not { } e || e < start) return "";
        var span = TimeSpan.FromMilliseconds(e - start);
        return span.TotalSeconds < 60 ? $"{span.TotalSeconds:0.0}s"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m {span.Seconds}s"
            : $"{(int)span.TotalHours}h {span.Minutes}m";
    }

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>
    /// A digest cut to its algorithm and first 8 characters (<c>blake3:1a2b3c4d…</c>): enough to
    /// tell versions apart on screen; pages put the whole digest in a title beside it.
    /// </summary>
    public static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':');
        var (algorithm, hex) = colon >= 0 ? (digest[..(colon + 1)], digest[(colon + 1)..]) : ("", digest);
        return hex.Length <= 12 ? digest : algorithm + hex[..8] + "…";
    }

    public static string Escape(string value) => Uri.EscapeDataString(value);

    public static string Bytes(long bytes) => ByteSize.Format(bytes);

    public static string RunLink(string runId) => "/runs/" + Escape(runId);

    public static string ModelLink(string name) => "/models/" + Escape(name);

    public static string DatasetLink(string name) => "/datasets/" + Escape(name);

    public static string LoggedModelLink(string modelId) => "/logged-models/" + Escape(modelId);

    /// <summary>A run's page opened on one of its artifact files (the artifact browser's preview).</summary>
    public static string RunFileLink(string runId, string file)
    {
        var folder = file.Contains('/') ? file[..file.LastIndexOf('/')] : "";
        return $"{RunLink(runId)}?dir={Escape(folder)}&file={Escape(file)}#artifacts";
    }

    /// <summary>A run's page opened on one of its artifact folders.</summary>
    public static string RunFolderLink(string runId, string folder) => $"{RunLink(runId)}?dir={Escape(folder)}#artifacts";

    public static string PipelineRunLink(string runId) => "/pipelines/runs/" + Escape(runId);

    public static string PipelineLink(string name) => "/pipelines?pipeline=" + Escape(name);

    public static string Duration(TimeSpan? span) => span is { } s ? Duration(0, (long)Math.Max(0, s.TotalMilliseconds)) : "";

    /// <summary>Text cut to <paramref name="max"/> characters with an ellipsis, for boxes of a fixed width.</summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static string VersionLink(string name, string version) => $"/models/{Escape(name)}/versions/{Escape(version)}";

    /// <summary>A run's artifact file as it is (<c>/ui/runs/&lt;id&gt;/artifact?path=...</c>).</summary>
    public static string RawArtifactLink(string runId, string path) => $"/ui/runs/{Escape(runId)}/artifact?path={Escape(path)}";

    public static string MonitorLink(string name) => "/monitors/" + Escape(name);

    /// <summary>One column's values over a monitor's runs; the column goes in the query, as a name may hold a '/'.</summary>
    public static string MonitorFeatureLink(string name, string column) => $"{MonitorLink(name)}/features?column={Escape(column)}";

    public static string EndpointLink(string name) => "/endpoints/" + Escape(name);
}
