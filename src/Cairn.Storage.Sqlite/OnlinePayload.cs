using System.Text;
using Cairn.Features;

namespace Cairn.Storage.Sqlite;

/// <summary>
/// The payload of one online row: for each non-null value, its name (UTF-8) and its bytes
/// (<see cref="OnlineValueCodec"/>), each preceded by its length as a 7-bit varint. About 20 bytes
/// for a numeric feature; nulls take no room (absent means null). Read straight from the span,
/// without streams, since a lookup decodes one per entity.
/// </summary>
internal static class OnlinePayload
{
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, byte[]>> values)
    {
        var size = 0;
        foreach (var (name, value) in values)
        {
            var nameBytes = Encoding.UTF8.GetByteCount(name);
            size += VarintSize(nameBytes) + nameBytes + VarintSize(value.Length) + value.Length;
        }
        var payload = new byte[size];
        var at = 0;
        foreach (var (name, value) in values)
        {
            at = WriteVarint(payload, at, Encoding.UTF8.GetByteCount(name));
            at += Encoding.UTF8.GetBytes(name, payload.AsSpan(at));
            at = WriteVarint(payload, at, value.Length);
            value.CopyTo(payload, at);
            at += value.Length;
        }
        return payload;
    }

    /// <summary>The values of <paramref name="features"/> in <paramref name="payload"/>, null for those it lacks.</summary>
    public static IReadOnlyDictionary<string, object?> Decode(ReadOnlySpan<byte> payload, IReadOnlyList<string> features)
    {
        var values = new Dictionary<string, object?>(features.Count, StringComparer.Ordinal);
        foreach (var feature in features) values[feature] = null;
        var lookup = values.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> name = stackalloc char[256];
        var at = 0;
        while (at < payload.Length)
        {
            var nameLength = ReadVarint(payload, ref at);
            var nameBytes = payload.Slice(at, nameLength);
            at += nameLength;
            var valueLength = ReadVarint(payload, ref at);
            var value = payload.Slice(at, valueLength);
            at += valueLength;
            var chars = nameLength <= name.Length ? name[..Encoding.UTF8.GetChars(nameBytes, name)] : Encoding.UTF8.GetString(nameBytes).AsSpan();
            if (lookup.ContainsKey(chars))
                lookup[chars] = OnlineValueCodec.Decode(value);
        }
        return values;
    }

    private static int VarintSize(int value)
    {
        var size = 1;
        while ((value >>= 7) != 0) size++;
        return size;
    }

    private static int WriteVarint(byte[] buffer, int at, int value)
    {
        var v = (uint)value;
        while (v >= 0x80) { buffer[at++] = (byte)(v | 0x80); v >>= 7; }
        buffer[at++] = (byte)v;
        return at;
    }

    private static int ReadVarint(ReadOnlySpan<byte> buffer, ref int at)
    {
        int value = 0, shift = 0;
        byte b;
        do
        {
            if (shift > 28) throw new CairnException(ErrorCodes.InternalError, "A stored online feature row is corrupt; re-materialize the view.");
            b = buffer[at++];
            value |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }
}
