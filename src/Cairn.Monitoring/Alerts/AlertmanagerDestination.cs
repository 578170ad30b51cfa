using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Cairn.Monitoring;

/// <summary>
/// Posts each notification to Alertmanager's v2 API (<c>POST {url}/api/v2/alerts</c>) with the labels
/// <c>alertname</c>, <c>monitor</c>, <c>severity</c>, <c>model</c>. A resolve sends <c>endsAt</c> = now.
/// </summary>
/// <param name="firingValidity">
/// How long Alertmanager keeps a firing alert without hearing of it again (its <c>endsAt</c>). Cairn
/// re-sends a firing alert only after its cool-down, so this must outlast the cool-down and the time
/// between monitor runs; the dispatcher passes twice the larger of the two.
/// </param>
public sealed class AlertmanagerDestination(HttpClient http, Uri baseUrl, TimeSpan firingValidity) : IAlertDestination
{
    public string Description => $"alertmanager {baseUrl}";

    public async Task SendAsync(AlertNotification n, CancellationToken ct)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(n.Time);
        var alert = new PostableAlert(Labels(n),
            new Dictionary<string, string> { ["summary"] = AlertText.Summary(n), ["description"] = n.Message },
            DateTimeOffset.FromUnixTimeMilliseconds(n.Since),
            n.IsFiring ? time + firingValidity : time);
        using var response = await http.PostAsJsonAsync(new Uri(baseUrl.ToString().TrimEnd('/') + "/api/v2/alerts"), new[] { alert }, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The identity of the alert in Alertmanager: the same labels for firing and resolve, so the resolve ends it.</summary>
    public static Dictionary<string, string> Labels(AlertNotification n)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = n.AlertName, ["monitor"] = n.MonitorName, ["severity"] = n.Severity };
        if (!string.IsNullOrEmpty(n.Model)) labels["model"] = n.Model;
        return labels;
    }
}

/// <summary>Alertmanager's <c>postableAlert</c>.</summary>
internal sealed record PostableAlert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt);
