using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Models.Signing;

/// <summary>
/// What a model signature says (an in-toto Statement v1): the subject is the version's
/// <c>models:/name/version</c> URI with the SHA-256 of its package's <c>digests.json</c>, which in
/// turn holds the BLAKE3 digest of every other package file, MLmodel included.
/// </summary>
public sealed record ModelStatement(string Subject, string DigestsSha256)
{
    /// <summary>The DSSE payload type of a model statement.</summary>
    public const string PayloadType = "application/vnd.in-toto+json";
    /// <summary>The in-toto statement type.</summary>
    public const string StatementType = "https://in-toto.io/Statement/v1";
    /// <summary>The predicate type naming what Cairn signs.</summary>
    public const string PredicateType = "https://cairn.dev/model-package-signature/v1";

    /// <summary>The statement as the payload bytes.</summary>
    public byte[] ToPayload() => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["_type"] = StatementType,
        ["subject"] = new JsonArray(new JsonObject { ["name"] = Subject, ["digest"] = new JsonObject { ["sha256"] = DigestsSha256 } }),
        ["predicateType"] = PredicateType,
        ["predicate"] = new JsonObject { ["digests_file"] = ModelPackage.DigestsFile, ["file_digest_algorithm"] = "blake3" },
    }.ToJsonString());

    /// <summary>Reads a signed payload.</summary>
    /// <exception cref="CairnException">The payload is not a Cairn model statement.</exception>
    public static ModelStatement Parse(byte[] payload, string source)
    {
        try
        {
            var root = JsonNode.Parse(payload) as JsonObject;
            if (root?["_type"]?.GetValue<string>() != StatementType || root["predicateType"]?.GetValue<string>() != PredicateType
                || root["subject"] is not JsonArray { Count: 1 } subjects || subjects[0] is not JsonObject subject)
                throw Invalid(source);
            return new ModelStatement(subject["name"]?.GetValue<string>() ?? throw Invalid(source),
                subject["digest"]?["sha256"]?.GetValue<string>() ?? throw Invalid(source));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Invalid(source);
        }
    }

    private static CairnException Invalid(string source) =>
        CairnException.InvalidState($"The signed payload of {source} is not a Cairn model statement (in-toto {StatementType} with predicate {PredicateType}).");
}
