using Cairn.Registry;

namespace Cairn.Monitoring;

/// <summary>
/// Marks the watched model version with a tag <c>cairn.alert.&lt;alert&gt;</c> =
/// <c>firing: &lt;message&gt;</c> or <c>resolved: &lt;message&gt;</c>, so the registry shows the alert beside the version.
/// </summary>
public sealed class ModelVersionDestination(IRegistryStore registry, string modelName, string version) : IAlertDestination
{
    public const string TagPrefix = "cairn.alert.";

    public string Description => $"model version {modelName}/{version}";

    public static string TagKey(string alertName) => TagPrefix + alertName;

    public static string TagValue(AlertNotification n) => $"{n.State}: {n.Message}";

    public Task SendAsync(AlertNotification n, CancellationToken ct) =>
        registry.SetModelVersionTagAsync(modelName, version, new ModelVersionTag(TagKey(n.AlertName), TagValue(n)), ct);
}
