using Cairn.Features;
using Cairn.Storage.Redis;
using Cairn.Storage.Sqlite;

namespace Cairn.Cli;

/// <summary>Opens the online feature store a command names: a Redis URI, a SQLite file, or the default file beside the metadata.</summary>
internal static class OnlineFeatureWiring
{
    /// <summary>The environment variable naming the online store when no option does.</summary>
    public const string EnvironmentVariable = "CAIRN_ONLINE_STORE";

    /// <summary>
    /// <c>redis://...</c> (or <c>rediss://</c>), a SQLite file path, or null for
    /// <c>$CAIRN_ONLINE_STORE</c>, else <c>features/online.db</c> in <paramref name="featuresFolder"/>.
    /// </summary>
    public static async Task<IOnlineFeatureStore> OpenStoreAsync(string? uri, string featuresFolder, CancellationToken ct)
    {
        uri ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (uri is not null && (uri.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase)))
            return await RedisOnlineFeatureStore.ConnectAsync(uri, ct: ct);
        if (uri is not null && uri.Contains("://", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"'{RedisConnectionUriText(uri)}' is not an online store: give redis://host:port[/db] or the path of a SQLite file.");
        return new SqliteOnlineFeatureStore(uri ?? Path.Combine(featuresFolder, "online.db"));
    }

    /// <summary>The online service of a store folder: lookups and pushes over the registered definitions, pushes logged under <c>push/</c> there.</summary>
    public static async Task<LocalOnlineFeatureService> OpenServiceAsync(IFeatureDefinitionStore definitions, string? uri, string featuresFolder, CancellationToken ct,
        OnDemandFeatureFunctions? functions = null) =>
        new(definitions, await OpenStoreAsync(uri, featuresFolder, ct), Path.Combine(featuresFolder, "push"), functions: functions);

    /// <summary>The folder online features and pushes are kept in by default: <c>features/</c> beside the metadata of an embedded store, or in ./.cairn.</summary>
    public static string FeaturesFolder(string? storeFolder) => Path.Combine(Path.GetFullPath(storeFolder ?? TrackingUri.DefaultFolder), "features");

    /// <summary>The folder of pushed feature rows: <c>push/</c> in <see cref="FeaturesFolder"/>.</summary>
    public static string PushLog(string? storeFolder) => Path.Combine(FeaturesFolder(storeFolder), "push");

    /// <summary>The folder of pushed feature rows of <paramref name="client"/>'s store (beside an embedded one, else in ./.cairn).</summary>
    public static string PushLogOf(CairnClient client) => PushLog(client.Location is EmbeddedLocation embedded ? Path.GetDirectoryName(embedded.DatabasePath) : null);

    private static string RedisConnectionUriText(string uri) => uri.Length <= 80 ? uri : uri[..80] + "...";
}
