using System.Globalization;

namespace Cairn.Monitoring;

/// <summary>
/// Where the inference log keeps a model's rows: <c>model=&lt;name&gt;/date=YYYY-MM-DD/hour=HH/part-*.parquet</c>
/// under the log's folder, one folder per UTC hour. The writer (serving) and the readers (monitors) share this one definition.
/// </summary>
public static class InferenceLogLayout
{
    public const long HourMs = 3_600_000;

    /// <summary>A model name as a folder name: letters, digits, '-', '_' and '.' kept, anything else '_'.</summary>
    public static string ModelFolder(string model) =>
        "model=" + string.Concat(model.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>The folder of the hour that holds <paramref name="timestampMs"/>.</summary>
    public static string HourFolder(string logFolder, string model, long timestampMs)
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(timestampMs / HourMs * HourMs).UtcDateTime;
        return Path.Combine(logFolder, ModelFolder(model),
            "date=" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "hour=" + start.ToString("HH", CultureInfo.InvariantCulture));
    }

    /// <summary>The finished Parquet files (never the temp files being written) of the hours that overlap [start, end), oldest hour first.</summary>
    public static IEnumerable<string> FilesIn(string logFolder, string model, long startMs, long endMs)
    {
        if (endMs <= startMs) yield break;
        for (var hour = startMs / HourMs * HourMs; hour < endMs; hour += HourMs)
        {
            var folder = HourFolder(logFolder, model, hour);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal))
                yield return file;
        }
    }
}
