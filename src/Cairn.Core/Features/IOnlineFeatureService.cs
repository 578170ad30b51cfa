namespace Cairn.Features;

/// <summary>What a push stored: how many rows, the offline file they were kept in, and how many changed the online store.</summary>
public sealed record PushResult(string View, int Rows, string OfflineFile, long OnlineWritten);

/// <summary>
/// Online features as a service: lookups for serving and pushes of fresh rows, against the
/// registered definitions. Embedded (over a local online store) or over REST, the same calls.
/// </summary>
public interface IOnlineFeatureService
{
    /// <summary>The requested features of each entity row, in Feast's column layout with a status and an event time per value.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown feature, view or service, or bad entities.</exception>
    Task<OnlineFeatureResponse> GetOnlineFeaturesAsync(OnlineFeatureRequest request, CancellationToken ct = default);

    /// <summary>Writes rows of a view to the offline push log, then to the online store.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown view or bad rows, before anything is written.</exception>
    Task<PushResult> PushAsync(string view, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct = default);
}
