using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Security;

/// <summary>What a host knows of one request that changed something; the audit store numbers and chains it.</summary>
/// <param name="Username">Who sent it; null when the server runs without sign-in (anonymous).</param>
/// <param name="RemoteAddress">The client's IP address as the server saw it; null when unknown.</param>
/// <param name="Method">The HTTP method, such as POST.</param>
/// <param name="Path">The request path: what was done.</param>
/// <param name="Resources">The ids the request was about, as <see cref="AuditEntry.FormatResources"/> writes them; empty when none were found.</param>
/// <param name="StatusCode">The HTTP status answered.</param>
public sealed record AuditEvent(string? Username, string? RemoteAddress, string Method, string Path, string Resources, int StatusCode);

/// <summary>
/// One entry of the append-only audit log. Each entry's <see cref="Hash"/> covers its fields and the
/// hash of the entry before it, so an edited, removed or reordered entry breaks the chain
/// (see <see cref="Compute"/> for the exact bytes hashed).
/// </summary>
/// <param name="Sequence">1, 2, 3, ... with no gaps.</param>
/// <param name="Time">When it was recorded, milliseconds since the Unix epoch.</param>
/// <param name="Username">Who; null for anonymous (a server without sign-in).</param>
/// <param name="RemoteAddress">From which IP address; null when unknown.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="Resources">Ids the request was about: <c>key=value</c> pairs sorted by key, values URL-escaped, joined by spaces.</param>
/// <param name="StatusCode">The HTTP status answered.</param>
/// <param name="PreviousHash">The hash of entry <c>Sequence - 1</c>; <see cref="GenesisHash"/> for the first.</param>
/// <param name="Hash">Lowercase hex SHA-256 of the canonical encoding (<see cref="Compute"/>).</param>
public sealed record AuditEntry(
    long Sequence, long Time, string? Username, string? RemoteAddress, string Method, string Path, string Resources, int StatusCode,
    string PreviousHash, string Hash)
{
    /// <summary>The previous hash of the first entry: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>Names the canonical encoding, hashed first, so a later format cannot collide with this one.</summary>
    public const string FormatTag = "cairn-audit-v1";

    /// <summary>The entry following the one whose hash is <paramref name="previousHash"/>, with its hash computed.</summary>
    public static AuditEntry Chain(long sequence, long time, AuditEvent e, string previousHash)
    {
        var entry = new AuditEntry(sequence, time, e.Username, e.RemoteAddress, e.Method, e.Path, e.Resources, e.StatusCode, previousHash, "");
        return entry with { Hash = entry.Compute() };
    }

    /// <summary>
    /// The hash this entry should have: lowercase hex SHA-256 over, in this order, <see cref="FormatTag"/>,
    /// sequence, time, username, remote address, method, path, resources, status code and previous hash,
    /// each written as a 4-byte big-endian length then that many UTF-8 bytes (numbers in invariant
    /// decimal; a null as the length 0xFFFFFFFF and no bytes, so null and "" differ).
    /// The stored <see cref="Hash"/> is not part of it.
    /// </summary>
    public string Compute()
    {
        using var bytes = new MemoryStream();
        foreach (var field in new[]
        {
            FormatTag, Number(Sequence), Number(Time), Username, RemoteAddress, Method, Path, Resources, Number(StatusCode), PreviousHash,
        })
            Write(bytes, field);
        return Convert.ToHexStringLower(SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length)));
    }

    /// <summary>Ids as <see cref="Resources"/> holds them: sorted by key (ordinal), values URL-escaped, joined by spaces.</summary>
    public static string FormatResources(IEnumerable<KeyValuePair<string, string>> ids) =>
        string.Join(' ', ids.OrderBy(id => id.Key, StringComparer.Ordinal).Select(id => $"{id.Key}={Uri.EscapeDataString(id.Value)}"));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Write(Stream to, string? field)
    {
        Span<byte> length = stackalloc byte[4];
        if (field is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, uint.MaxValue);
            to.Write(length);
            return;
        }
        var utf8 = Encoding.UTF8.GetBytes(field);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)utf8.Length);
        to.Write(length);
        to.Write(utf8);
    }
}

/// <summary>Which audit entries to list; every filter given must hold.</summary>
/// <param name="Since">From this time on (milliseconds since the epoch, inclusive); null: from the start.</param>
/// <param name="Until">Before this time (exclusive); null: up to now.</param>
/// <param name="Username">Only this user's requests; null: everyone's, anonymous ones included.</param>
/// <param name="MaxResults">At most this many, the newest.</param>
public sealed record AuditQuery(long? Since = null, long? Until = null, string? Username = null, int MaxResults = 100);
