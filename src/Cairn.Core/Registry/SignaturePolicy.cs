namespace Cairn.Registry;

/// <summary>
/// The registry tags of signed models: a version's <c>cairn.signed_by</c> (the key ids that signed
/// it, comma-separated) and a registered model's <c>cairn.require_signature.&lt;alias&gt;</c>
/// (<c>true</c>: the alias accepts only signed versions; or the key ids whose signatures it accepts).
/// </summary>
public static class SignaturePolicy
{
    /// <summary>The version tag listing the key ids that signed it.</summary>
    public const string SignedByTag = "cairn.signed_by";

    /// <summary>The registered model tag that makes <paramref name="alias"/> accept only signed versions.</summary>
    public static string RequireSignatureTag(string alias) => "cairn.require_signature." + alias;

    /// <summary>
    /// What an alias requires: null when it accepts any version; an empty list when it needs a
    /// signature by any key; else the key ids it accepts.
    /// </summary>
    /// <exception cref="CairnException">The tag's value is neither true, false nor key ids.</exception>
    public static IReadOnlyList<string>? Required(RegisteredModel model, string alias)
    {
        var tag = RequireSignatureTag(alias);
        var value = model.Tags.LastOrDefault(t => t.Key == tag)?.Value?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("false", StringComparison.OrdinalIgnoreCase)) return null;
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase)) return [];
        var ids = KeyIds(value);
        if (ids.Any(id => id.Length != 64 || !id.All(Uri.IsHexDigit)))
            throw CairnException.InvalidState($"The tag {tag} of model '{model.Name}' is '{value}': it must be true, false, or the comma-separated key ids (64 hex characters) whose signatures '{alias}' accepts.");
        return ids;
    }

    /// <summary>The key ids a version's <see cref="SignedByTag"/> lists.</summary>
    public static IReadOnlyList<string> SignedBy(ModelVersion version) =>
        KeyIds(version.Tags.LastOrDefault(t => t.Key == SignedByTag)?.Value ?? "");

    /// <summary>
    /// The registry-level check a server makes when an alias is set: a version the alias's policy
    /// needs signed must carry a signer's key id in its tags. The signature itself is checked by the
    /// SDK (ModelSignatures) and at serving time, which hold the keys.
    /// </summary>
    /// <exception cref="CairnException">The policy requires a signature the version's tags do not name.</exception>
    public static void RequireTaggedSignature(RegisteredModel model, string alias, ModelVersion version)
    {
        if (Required(model, alias) is not { } accepted) return;
        var signers = SignedBy(version);
        if (signers.Count == 0)
            throw CairnException.InvalidState($"models:/{model.Name}@{alias} accepts only signed versions (tag {RequireSignatureTag(alias)}), and version {version.Version} is unsigned. " +
                $"Sign it with: cairn models sign models:/{model.Name}/{version.Version} --key KEY.pem");
        if (accepted.Count > 0 && !signers.Any(accepted.Contains))
            throw CairnException.InvalidState($"models:/{model.Name}@{alias} accepts only versions signed by {string.Join(", ", accepted)}; version {version.Version} is signed by {string.Join(", ", signers)}.");
    }

    private static List<string> KeyIds(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => v.ToLowerInvariant()).ToList();
}
