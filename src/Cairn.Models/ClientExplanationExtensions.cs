using Cairn.Models;
using Cairn.Models.Explain;

namespace Cairn;

/// <summary>Reading a registered version's stored global explanation from a <see cref="CairnClient"/>.</summary>
public static class ClientExplanationExtensions
{
    /// <summary>The global explanation stored for a version (<c>models:/name/N</c> or <c>models:/name@alias</c>), or null when none was computed.</summary>
    /// <exception cref="CairnException">The URI names no registered version, or the stored file is damaged.</exception>
    public static async Task<GlobalExplanation?> ReadGlobalExplanationAsync(this CairnClient client, string uri, CancellationToken ct = default)
    {
        var registry = new ModelRegistry(client);
        var version = await registry.GetVersionAsync(uri, ct).ConfigureAwait(false);
        return await registry.ReadExplanationAsync(version.Name, version.Version, ct).ConfigureAwait(false);
    }
}
