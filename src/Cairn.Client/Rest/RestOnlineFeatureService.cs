using System.Text.Json;
using Cairn.Features;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>
/// Online feature lookups and pushes on a remote Cairn server. Values come back as JSON gives
/// them: text as string, true/false as bool, a whole number as long, another number as double,
/// so a double feature whose value is whole reads as a long.
/// </summary>
public sealed class RestOnlineFeatureService(RestTransport transport) : IOnlineFeatureService
{
    /// <inheritdoc />
    public async Task<OnlineFeatureResponse> GetOnlineFeaturesAsync(OnlineFeatureRequest request, CancellationToken ct = default)
    {
        var body = new GetOnlineFeaturesRequest(request.Features?.Select(f => f.ToString()).ToList(), request.FeatureService,
            request.Entities.ToDictionary(e => e.Key, e => (IReadOnlyList<JsonElement>)[.. e.Value.Select(v => JsonSerializer.SerializeToElement(v, CairnJson.Options))]),
            request.FullFeatureNames);
        var answer = await transport.PostAsync<GetOnlineFeaturesResponse>("api/2.0/cairn/features/online", body, ct).ConfigureAwait(false);
        return new OnlineFeatureResponse(answer.Metadata.FeatureNames,
            [.. answer.Results.Select(r => new OnlineFeatureColumn([.. r.Values.Select(Value)], r.Statuses, r.EventTimestamps))]);
    }

    /// <inheritdoc />
    public async Task<PushResult> PushAsync(string view, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct = default)
    {
        var body = new PushFeaturesRequest(view,
            [.. rows.Select(r => (IReadOnlyDictionary<string, JsonElement>)r.ToDictionary(c => c.Key, c => JsonSerializer.SerializeToElement(c.Value, CairnJson.Options)))]);
        var answer = await transport.PostAsync<PushFeaturesResponse>("api/2.0/cairn/features/push", body, ct).ConfigureAwait(false);
        return new PushResult(answer.FeatureView, answer.Rows, OfflineFile: "", answer.OnlineWritten);
    }

    private static object? Value(object? value) => value is not JsonElement e ? value : e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when e.TryGetInt64(out var l) => l,
        JsonValueKind.Number => e.GetDouble(),
        _ => null,
    };
}
