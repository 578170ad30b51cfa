using System.Text;
using Cairn.Features;

namespace Cairn.Storage.Sqlite;

/// <summary>
/// The payload of one online row: for each non-null value, its name and its bytes
/// (<see cref="OnlineValueCodec"/>), each preceded by its length as a 7-bit varint. About 20 bytes
/// for a numeric feature; nulls take no room (absent means null).
/// </summary>
internal static class OnlinePayload
{
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, byte[]>> values)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        foreach (var (name, value) in values)
        {
            writer.Write(name); // BinaryWriter prefixes the UTF-8 bytes with their 7-bit encoded length
            writer.Write7BitEncodedInt(value.Length);
            writer.Write(value);
        }
        writer.Flush();
        return buffer.ToArray();
    }

    /// <summary>The values of <paramref name="features"/> in <paramref name="payload"/>, null for those it lacks.</summary>
    public static IReadOnlyDictionary<string, object?> Decode(byte[] payload, IReadOnlyList<string> features)
    {
        var values = new Dictionary<string, object?>(features.Count, StringComparer.Ordinal);
        foreach (var feature in features) values[feature] = null;
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        while (reader.BaseStream.Position < payload.Length)
        {
            var name = reader.ReadString();
            var length = reader.Read7BitEncodedInt();
            var start = (int)reader.BaseStream.Position;
            if (values.ContainsKey(name)) values[name] = OnlineValueCodec.Decode(payload.AsSpan(start, length));
            reader.BaseStream.Position = start + length;
        }
        return values;
    }
}
