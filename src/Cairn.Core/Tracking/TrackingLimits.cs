using System.Globalization;

namespace Cairn.Tracking;

/// <summary>
/// MLflow's limits on names, values and batch sizes, checked the same way by every backend so that
/// a request refused by one is refused by all.
/// </summary>
public static class TrackingLimits
{
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 8000;
    public const int MaxExperimentNameLength = 500;
    public const int MaxMetricsPerBatch = 1000;
    public const int MaxParamsPerBatch = 100;
    public const int MaxTagsPerBatch = 100;
    public const int MaxEntitiesPerBatch = 1000;

    public static void ValidateBatch(LogBatch batch)
    {
        var metrics = batch.MetricList;
        var @params = batch.ParamList;
        var tags = batch.TagList;
        CheckBatchCounts(metrics.Count, @params.Count, tags.Count);

        foreach (var m in metrics)
        {
            if (m is null) throw CairnException.InvalidParameter("A metric in the batch is null.");
            ValidateKey("metric", m.Key);
            if (m.Timestamp < 0) throw CairnException.InvalidParameter($"Metric '{m.Key}' has a negative timestamp {m.Timestamp}.");
        }
        var seenParams = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in @params)
        {
            if (p is null) throw CairnException.InvalidParameter("A param in the batch is null.");
            ValidateKey("param", p.Key);
            ValidateValue("param", p.Key, p.Value, MaxParamValueLength);
            if (seenParams.TryGetValue(p.Key, out var previous) && previous != p.Value)
                throw CairnException.InvalidParameter($"Duplicate param key '{p.Key}' with different values in one batch.");
            seenParams[p.Key] = p.Value;
        }
        foreach (var t in tags)
        {
            if (t is null) throw CairnException.InvalidParameter("A tag in the batch is null.");
            ValidateKey("tag", t.Key);
            ValidateValue("tag", t.Key, t.Value, MaxTagValueLength);
        }
    }

    /// <summary>
    /// Refuses a batch with too many metrics, params or tags. <paramref name="partial"/>: the counts
    /// so far of a request still being read, which the server checks item by item so that it
    /// stops reading a batch of a million metrics at the 1,001st.
    /// </summary>
    public static void CheckBatchCounts(int metrics, int @params, int tags, bool partial = false)
    {
        static CairnException TooMany(string kind, int limit, int count, bool partial) => CairnException.InvalidParameter(
            $"A batch logging request can contain at most {limit} {kind}. Got {(partial ? $"more than {limit}" : count.ToString(CultureInfo.InvariantCulture))} {kind}. Split the batch.");
        if (metrics > MaxMetricsPerBatch) throw TooMany("metrics", MaxMetricsPerBatch, metrics, partial);
        if (@params > MaxParamsPerBatch) throw TooMany("params", MaxParamsPerBatch, @params, partial);
        if (tags > MaxTagsPerBatch) throw TooMany("tags", MaxTagsPerBatch, tags, partial);
        if (metrics + @params + tags > MaxEntitiesPerBatch)
            throw CairnException.InvalidParameter($"A batch logging request can contain at most {MaxEntitiesPerBatch} metrics, params and tags in total.");
    }

    /// <summary>
    /// Keys follow MLflow's rule: letters, digits, and _ - . space / : only, at most 250 characters,
    /// and no path segment that would escape (they become file names in some stores).
    /// </summary>
    public static void ValidateKey(string kind, string? key)
    {
        if (string.IsNullOrEmpty(key))
            throw CairnException.InvalidParameter($"Missing value for the {kind} key: a {kind} needs a non-empty key.");
        if (key.Length > MaxKeyLength)
            throw CairnException.InvalidParameter($"The {kind} key '{Shorten(key)}' is {key.Length} characters long; the limit is {MaxKeyLength}.");
        foreach (var c in key)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or ' ' or '/' or ':'))
                throw CairnException.InvalidParameter(
                    $"Invalid {kind} key '{Printable(Shorten(key))}': keys may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/); found {Describe(c)}.");
        }
        if (key.StartsWith('/') || key.Split('/').Any(s => s is ".." or "."))
            throw CairnException.InvalidParameter($"Invalid {kind} key '{key}': it must not start with '/' or contain '.' or '..' path segments.");
    }

    public static void ValidateValue(string kind, string key, string? value, int maxLength)
    {
        if (value is null)
            throw CairnException.InvalidParameter($"Missing value for {kind} '{key}'.");
        if (value.Length > maxLength)
            throw CairnException.InvalidParameter($"The value of {kind} '{key}' is {value.Length} characters long; the limit is {maxLength}.");
        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
                throw CairnException.InvalidParameter($"The value of {kind} '{key}' contains the control character {Describe(c)}; only tab, line feed and carriage return are allowed.");
        }
    }

    public static void ValidateInputs(IReadOnlyList<DatasetInput>? inputs)
    {
        if (inputs is null || inputs.Count == 0)
            throw CairnException.InvalidParameter("Missing value for required parameter 'datasets': give at least one dataset input.");
        foreach (var input in inputs)
        {
            var d = input?.Dataset ?? throw CairnException.InvalidParameter("A dataset input has no 'dataset'.");
            ValidateValue("dataset", "name", d.Name, 500);
            ValidateValue("dataset", "digest", d.Digest, 36 * 2);
            ValidateValue("dataset", "source_type", d.SourceType, 36);
            ValidateValue("dataset", "source", d.Source, 65535);
            if (d.Name.Length == 0 || d.Digest.Length == 0)
                throw CairnException.InvalidParameter("A dataset needs a non-empty name and digest.");
            foreach (var tag in input.Tags ?? [])
            {
                ValidateKey("input tag", tag.Key);
                ValidateValue("input tag", tag.Key, tag.Value, 500);
            }
        }
    }

    public static void ValidateExperimentName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter("Experiment name must be a non-empty string.");
        if (name.Length > MaxExperimentNameLength)
            throw CairnException.InvalidParameter($"Experiment name is {name.Length} characters long; the limit is {MaxExperimentNameLength}.");
        if (name.Any(char.IsControl))
            throw CairnException.InvalidParameter("Experiment name must not contain control characters.");
    }

    public static void ValidateRunName(string? name)
    {
        if (name is null) return;
        ValidateValue("run name", "run_name", name, MaxKeyLength);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private static string Describe(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
