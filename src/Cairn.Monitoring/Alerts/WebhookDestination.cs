using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Cairn.Monitoring;

/// <summary>POSTs each notification as JSON to a URL: Cairn's own body, or with format <c>slack</c> a Slack incoming-webhook body.</summary>
public sealed class WebhookDestination(HttpClient http, Uri url, string? format = null) : IAlertDestination
{
    public const string JsonFormat = "json";
    public const string SlackFormat = "slack";
    public static readonly IReadOnlyList<string> Formats = [JsonFormat, SlackFormat];

    public string Description => $"webhook {url}";

    public async Task SendAsync(AlertNotification n, CancellationToken ct)
    {
        using var response = format == SlackFormat
            ? await http.PostAsJsonAsync(url, new SlackBody(SlackText(n)), ct)
            : await http.PostAsJsonAsync(url, WebhookBody.From(n), ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Slack's <c>{"text": ...}</c> with the same facts as the JSON body.</summary>
    public static string SlackText(AlertNotification n) =>
        $"{AlertText.Summary(n)}\n{n.Message}\nrule: {n.Rule}, value: {AlertEvaluator.Format(n.Value)}, threshold: {AlertEvaluator.Format(n.Threshold)}" +
        $"\nsince: {DateTimeOffset.FromUnixTimeMilliseconds(n.Since):O}, at: {DateTimeOffset.FromUnixTimeMilliseconds(n.Time):O}";
}

internal sealed record SlackBody([property: JsonPropertyName("text")] string Text);

/// <summary>The JSON a webhook receives (snake_case, times as ISO 8601 UTC).</summary>
public sealed record WebhookBody(
    [property: JsonPropertyName("monitor")] string Monitor,
    [property: JsonPropertyName("alert")] string Alert,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("severity")] string Severity,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("threshold")] double Threshold,
    [property: JsonPropertyName("rule")] string Rule,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("repeat")] bool Repeat)
{
    public static WebhookBody From(AlertNotification n) => new(n.MonitorName, n.AlertName, n.State, n.Severity,
        JsonSafe(n.Value), n.Threshold, n.Rule, n.Message, n.Model,
        DateTimeOffset.FromUnixTimeMilliseconds(n.Since), DateTimeOffset.FromUnixTimeMilliseconds(n.Time), n.Repeat);

    // JSON has no infinities; a rule like 'psi(x) > 0.2' can fire on +inf.
    private static double JsonSafe(double v) => double.IsPositiveInfinity(v) ? double.MaxValue : double.IsNegativeInfinity(v) ? double.MinValue : v;
}
