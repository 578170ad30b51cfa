using System.Text.Json;

namespace Cairn.Monitoring;

/// <summary><c>report.json</c>: the report in the API's JSON shape (snake_case; NaN as "NaN").</summary>
public static class MonitorReportJson
{
    private static readonly JsonSerializerOptions Indented = new(CairnJson.Options) { WriteIndented = true };

    public static string Write(MonitorReport report) => JsonSerializer.Serialize(report, Indented);

    public static MonitorReport Read(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<MonitorReport>(json, CairnJson.Options) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidParameter($"{source} is not a monitor report: {e.Message}");
        }
    }
}
