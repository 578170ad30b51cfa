using System.Globalization;

namespace Cairn.Monitoring;

/// <summary>
/// A model's request and error counters read from a <c>cairn serve</c> <c>/metrics</c> page
/// (Prometheus text format), summed over versions and protocols. Two readings give the error rate
/// between them; a counter lower than before means the server restarted, and then the later
/// reading alone counts.
/// </summary>
public sealed record ServingCounters(double Requests, double Errors)
{
    public const string RequestsValue = "serving_requests_total";
    public const string ErrorsValue = "serving_errors_total";

    public static ServingCounters Parse(string metricsText, string model)
    {
        double requests = 0, errors = 0;
        var label = $"model=\"{model.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"";
        foreach (var line in metricsText.Split('\n'))
        {
            if (line.StartsWith('#') || !line.Contains(label, StringComparison.Ordinal)) continue;
            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            if (line.StartsWith("cairn_inference_requests_total{", StringComparison.Ordinal)) requests += value;
            else if (line.StartsWith("cairn_inference_errors_total{", StringComparison.Ordinal)) errors += value;
        }
        return new ServingCounters(requests, errors);
    }

    /// <summary>Errors per request since <paramref name="previous"/> (NaN when no request was answered in between).</summary>
    public double ErrorRateSince(ServingCounters? previous)
    {
        var restarted = previous is null || Requests < previous.Requests || Errors < previous.Errors;
        var requests = restarted ? Requests : Requests - previous!.Requests;
        var errors = restarted ? Errors : Errors - previous!.Errors;
        return requests > 0 ? errors / requests : double.NaN;
    }

    public static async Task<ServingCounters> ReadAsync(HttpClient http, string metricsUrl, string model, CancellationToken ct)
    {
        string text;
        try
        {
            text = await http.GetStringAsync(metricsUrl, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw CairnException.InvalidState($"Could not read the serving metrics at {metricsUrl}: {e.Message}");
        }
        return Parse(text, model);
    }
}
