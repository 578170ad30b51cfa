using System.Globalization;
using System.Text.Json;
using Cairn.Deployments.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>The live half of <c>cairn deploy status --url</c>: what the endpoint's server counts now.</summary>
internal static class LiveStatus
{
    public static async Task<EndpointStatus> FetchAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
            throw CairnException.InvalidParameter($"--url must be the endpoint server's http(s) address, such as http://127.0.0.1:8080; got '{url}'.");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(new Uri(baseUri, EndpointStatusApi.Route), ct);
            if (!response.IsSuccessStatusCode)
                throw CairnException.InvalidParameter($"{url} answered {(int)response.StatusCode} to {EndpointStatusApi.Route}: is it a `cairn deploy serve`?");
            return JsonSerializer.Deserialize<EndpointStatus>(await response.Content.ReadAsStringAsync(ct), CairnJson.Options)
                ?? throw CairnException.InvalidParameter($"{url} sent an empty status.");
        }
        catch (HttpRequestException e)
        {
            throw CairnException.InvalidParameter($"Could not reach {url}: {e.Message}");
        }
        catch (JsonException)
        {
            throw CairnException.InvalidParameter($"{url}{EndpointStatusApi.Route} did not answer an endpoint status: is it a `cairn deploy serve`?");
        }
    }

    public static void Print(TextWriter stdout, EndpointStatus live)
    {
        stdout.WriteLine($"  live (revision {live.Revision} served):");
        foreach (var v in live.Variants)
            stdout.WriteLine($"    {v.Name,-12} {v.Weight,3}%  {v.Requests,8:N0} requests since {Output.Time(v.Since)}, errors {v.ErrorRate.ToString("P2", CultureInfo.InvariantCulture)}, p50 {Ms(v.P50Ms)}, p99 {Ms(v.P99Ms)}");
        if (live.CanaryAnalysis is { } a)
            stdout.WriteLine($"  canary analysis: {a.Decision.Replace('_', ' ')}: {a.Summary}");
        if (live.Shadow is { } s)
            stdout.WriteLine($"  shadow {s.Variant}: {s.Requests:N0} requests compared, agreement {(s.Agreement is { } ag ? ag.ToString("P1", CultureInfo.InvariantCulture) : "n/a")}, "
                + $"mean |diff| {(s.MeanAbsDifference is { } d ? d.ToString("G4", CultureInfo.InvariantCulture) : "n/a")}, p99 {Ms(s.ShadowP99Ms)} (primary {Ms(s.PrimaryP99Ms)}), dropped {s.Dropped:N0}");
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) + " ms" : "n/a";
}
