using System.Text;
using Cairn.Artifacts;
using Cairn.Registry;

namespace Cairn.Models.Signing;

/// <summary>A version signed: its URI, the signing key's id, and where the envelope is stored.</summary>
public sealed record SignedVersion(string Uri, string KeyId, string EnvelopePath);

/// <summary>A package downloaded and verified: the version, the key whose signature was accepted, the package opened with its digests checked.</summary>
public sealed record VerifiedVersion(ModelVersion Version, string KeyId, ModelPackage Package);

/// <summary>
/// Signing registered versions and verifying them, through the client's stores (embedded or a remote
/// server alike). A version's envelopes are stored beside its model card, at
/// <c>registry/&lt;name&gt;/&lt;version&gt;/signatures/&lt;keyid&gt;.dsse.json</c>, with the signer's
/// public key as <c>&lt;keyid&gt;.pub.pem</c>; the package's own files are never touched, so its
/// <c>digests.json</c> stays what was logged.
/// </summary>
public sealed class ModelSignatures(CairnClient client)
{
    private const string EnvelopeSuffix = ".dsse.json";
    private const string PublicKeySuffix = ".pub.pem";

    /// <summary>The artifact folder of a version's signatures.</summary>
    public static string FolderOf(string name, string version) => ArtifactPath.Combine("registry", $"{name}/{version}/signatures");

    /// <summary>
    /// Verifies the version's package files against its digests, signs a statement naming the
    /// version and its <c>digests.json</c>, stores the envelope and tags the version with the key id.
    /// </summary>
    /// <exception cref="CairnException">The URI is not a registered version, or its package has no digest list or does not match it.</exception>
    public async Task<SignedVersion> SignAsync(string uri, SigningKey key, CancellationToken ct = default)
    {
        var registry = new ModelRegistry(client);
        var (version, packagePath) = await ResolveVersionAsync(registry, uri, ct).ConfigureAwait(false);
        var subject = SubjectOf(version);
        var folder = Directory.CreateTempSubdirectory("cairn-sign-").FullName;
        try
        {
            await registry.DownloadPackageAsync(packagePath, folder, ct).ConfigureAwait(false);
            var digests = ReadDigests(folder, subject);
            ModelPackage.Open(folder); // sign only what matches its digests
            var envelope = DsseEnvelope.Sign(ModelStatement.PayloadType, new ModelStatement(subject, PackageSignatureCheck.DigestsSha256(digests)).ToPayload(), key);
            var store = FolderOf(version.Name, version.Version);
            var envelopePath = ArtifactPath.Combine(store, key.KeyId + EnvelopeSuffix);
            await client.Artifacts.PutAsync(envelopePath, new MemoryStream(Encoding.UTF8.GetBytes(envelope.ToJson())), ct).ConfigureAwait(false);
            await client.Artifacts.PutAsync(ArtifactPath.Combine(store, key.KeyId + PublicKeySuffix), new MemoryStream(Encoding.UTF8.GetBytes(key.PublicKey.ToPem())), ct).ConfigureAwait(false);
            var signers = SignaturePolicy.SignedBy(version).Append(key.KeyId).Distinct().ToList();
            await client.Registry.SetModelVersionTagAsync(version.Name, version.Version, new ModelVersionTag(SignaturePolicy.SignedByTag, string.Join(",", signers)), ct).ConfigureAwait(false);
            return new SignedVersion(subject, key.KeyId, envelopePath);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Downloads the version's package to <paramref name="folder"/> and verifies it: a trusted key's
    /// valid signature over this version and its <c>digests.json</c>, then every file's digest.
    /// </summary>
    /// <exception cref="CairnException">Unsigned, untrusted, invalid, or a file changed (named).</exception>
    public async Task<VerifiedVersion> DownloadVerifiedAsync(string uri, TrustedKeys trusted, string folder, CancellationToken ct = default)
    {
        var registry = new ModelRegistry(client);
        var (version, packagePath) = await ResolveVersionAsync(registry, uri, ct).ConfigureAwait(false);
        var subject = SubjectOf(version);
        await registry.DownloadPackageAsync(packagePath, folder, ct).ConfigureAwait(false);
        var envelopes = await ReadEnvelopesAsync(version.Name, version.Version, ct).ConfigureAwait(false);
        var keyId = PackageSignatureCheck.Verify(subject, ReadDigests(folder, subject), envelopes, trusted);
        return new VerifiedVersion(version, keyId, ModelPackage.Open(folder));
    }

    /// <summary>The version's stored signature envelopes.</summary>
    /// <exception cref="CairnException">A stored envelope is malformed.</exception>
    public async Task<IReadOnlyList<StoredEnvelope>> ReadEnvelopesAsync(string name, string version, CancellationToken ct = default)
    {
        var envelopes = new List<StoredEnvelope>();
        foreach (var file in await client.Artifacts.ListAsync(FolderOf(name, version), ct).ConfigureAwait(false))
        {
            if (file.IsDir || !file.Path.EndsWith(EnvelopeSuffix, StringComparison.Ordinal)) continue;
            envelopes.Add(new StoredEnvelope(file.Path, DsseEnvelope.Parse(await ReadTextAsync(file.Path, ct).ConfigureAwait(false), file.Path)));
        }
        return envelopes;
    }

    /// <summary>
    /// When the model's <c>cairn.require_signature.&lt;alias&gt;</c> tag is set, checks that the
    /// version carries a valid signature (by an accepted key, when the tag lists key ids) over its
    /// stored <c>digests.json</c>. The signers' stored public keys are used: the alias policy says
    /// which key ids count; serving with <c>--trusted-keys</c> decides which keys are trusted.
    /// </summary>
    /// <exception cref="CairnException">The alias needs a signature the version lacks.</exception>
    public async Task RequireForAliasAsync(string name, string alias, string version, CancellationToken ct = default)
    {
        RegisteredModel model;
        ModelVersion target;
        IReadOnlyList<string> accepted;
        try
        {
            model = await client.Registry.GetRegisteredModelAsync(name, ct).ConfigureAwait(false);
            if (SignaturePolicy.Required(model, alias) is not { } required) return;
            accepted = required;
            target = await client.Registry.GetModelVersionAsync(name, version, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return; // setting the alias then says which of the model or version is missing, as it did before
        }
        SignaturePolicy.RequireTaggedSignature(model, alias, target);
        var keys = new List<VerificationKey>();
        foreach (var file in await client.Artifacts.ListAsync(FolderOf(name, version), ct).ConfigureAwait(false))
        {
            if (file.IsDir || !file.Path.EndsWith(PublicKeySuffix, StringComparison.Ordinal)) continue;
            var key = VerificationKey.FromPem(await ReadTextAsync(file.Path, ct).ConfigureAwait(false), file.Path);
            if (file.Path.EndsWith("/" + key.KeyId + PublicKeySuffix, StringComparison.Ordinal) && (accepted.Count == 0 || accepted.Contains(key.KeyId))) keys.Add(key);
        }
        var packagePath = await ModelSources.ToStorePathAsync(target.Source, client.Tracking, ct).ConfigureAwait(false);
        byte[] digests;
        try
        {
            await using var stream = await client.Artifacts.OpenReadAsync(ArtifactPath.Combine(packagePath, ModelPackage.DigestsFile), ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            digests = buffer.ToArray();
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            throw CairnException.InvalidState($"models:/{name}@{alias} accepts only signed versions, and version {version}'s package has no {ModelPackage.DigestsFile} to sign.");
        }
        var envelopes = await ReadEnvelopesAsync(name, version, ct).ConfigureAwait(false);
        try
        {
            PackageSignatureCheck.Verify(SubjectOf(target), digests, envelopes, new TrustedKeys(keys));
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidState)
        {
            throw CairnException.InvalidState($"models:/{name}@{alias} accepts only signed versions (tag {SignaturePolicy.RequireSignatureTag(alias)}): {e.Message}");
        }
    }

    private static async Task<(ModelVersion Version, string PackagePath)> ResolveVersionAsync(ModelRegistry registry, string uri, CancellationToken ct)
    {
        if (!ModelUri.IsModelUri(uri))
            throw CairnException.InvalidParameter($"'{uri}' is not a registered version: signatures belong to models:/<name>/<version> or models:/<name>@<alias>.");
        var (version, packagePath) = await registry.ResolveAsync(uri, ct).ConfigureAwait(false);
        return (version!, packagePath);
    }

    /// <summary>The statement's subject: the version's <c>models:/name/version</c> URI (an alias resolved, so a signature never follows an alias).</summary>
    private static string SubjectOf(ModelVersion version) => $"{ModelUri.Scheme}{version.Name}/{version.Version}";

    private static byte[] ReadDigests(string folder, string subject)
    {
        var path = Path.Combine(folder, ModelPackage.DigestsFile);
        return File.Exists(path) ? File.ReadAllBytes(path)
            : throw CairnException.InvalidState($"The package of {subject} has no {ModelPackage.DigestsFile} (it was not logged by Cairn), so a signature cannot cover its files.");
    }

    private async Task<string> ReadTextAsync(string path, CancellationToken ct)
    {
        await using var stream = await client.Artifacts.OpenReadAsync(path, ct).ConfigureAwait(false);
        return await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false);
    }
}
