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

    public static string VersionLink(string name, string version) => $"/models/{Escape(name)}/versions/{Escape(version)}";
}
