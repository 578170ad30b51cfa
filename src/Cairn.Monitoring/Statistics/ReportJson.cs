using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Monitoring;

/// <summary>
/// Options to store the drift, quality and performance reports as JSON: snake_case, and NaN / ±∞ written as strings
/// (a chi-square of a category the reference never had is +∞; a column without data has NaN).
/// </summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);

    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}
