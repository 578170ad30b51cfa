using System.Buffers.Binary;
using System.Text;

namespace Cairn.Features;

/// <summary>
/// The bytes an online store keeps for one feature value: a type letter and a fixed payload
/// (<c>i</c> int64 and <c>d</c> double as 8 little-endian bytes, <c>b</c> one byte, <c>t</c> an
/// instant as 8 bytes of microseconds since the Unix epoch, <c>s</c> UTF-8 text). Values carry
/// their type so a read needs no definitions; doubles keep every bit (NaN, infinities, -0.0).
/// </summary>
public static class OnlineValueCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes of <paramref name="value"/> as <paramref name="field"/>'s type, or null for a null value.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the value does not fit the type.</exception>
    public static byte[]? Encode(FeatureField field, object? value)
    {
        if (value is null) return null;
        switch (field.Type, value)
        {
            case (FeatureType.Int64, long or int or short or sbyte or byte or ushort or uint):
                return Fixed('i', Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            case (FeatureType.Double, double d):
                return Fixed('d', BitConverter.DoubleToInt64Bits(d));
            case (FeatureType.Double, float or long or int):
                return Fixed('d', BitConverter.DoubleToInt64Bits(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)));
            case (FeatureType.Bool, bool b):
                return [(byte)'b', b ? (byte)1 : (byte)0];
            case (FeatureType.Timestamp, DateTimeOffset t):
                return Fixed('t', ToUnixMicroseconds(t));
            case (FeatureType.Timestamp, DateTime { Kind: DateTimeKind.Utc } t):
                return Fixed('t', ToUnixMicroseconds(new DateTimeOffset(t)));
            case (FeatureType.String, string s):
                try
                {
                    var bytes = new byte[1 + StrictUtf8.GetByteCount(s)];
                    bytes[0] = (byte)'s';
                    StrictUtf8.GetBytes(s, bytes.AsSpan(1));
                    return bytes;
                }
                catch (EncoderFallbackException)
                {
                    throw CairnException.InvalidParameter($"Feature '{field.Name}' holds text that is not valid Unicode (an unpaired surrogate).");
                }
            default:
                var hint = value is DateTime ? " (a DateTime must be of kind Utc; prefer DateTimeOffset)" : "";
                throw CairnException.InvalidParameter($"Feature '{field.Name}' is {field.Type.Name()}; got a {value.GetType().Name} value{hint}.");
        }
    }

    /// <summary>The value <see cref="Encode"/> wrote: <c>long</c>, <c>double</c>, <c>string</c>, <c>bool</c> or a UTC <see cref="DateTimeOffset"/>.</summary>
    /// <exception cref="CairnException">INTERNAL_ERROR when the bytes were not written by this codec.</exception>
    public static object Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw Corrupt();
        var payload = bytes[1..];
        return (char)bytes[0] switch
        {
            'i' when payload.Length == 8 => BinaryPrimitives.ReadInt64LittleEndian(payload),
            'd' when payload.Length == 8 => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(payload)),
            't' when payload.Length == 8 => FromUnixMicroseconds(BinaryPrimitives.ReadInt64LittleEndian(payload)),
            'b' when payload.Length == 1 => payload[0] != 0,
            's' => Encoding.UTF8.GetString(payload),
            _ => throw Corrupt(),
        };
    }

    /// <summary>Microseconds since the Unix epoch, rounded down (the precision of Parquet and DuckDB timestamps).</summary>
    public static long ToUnixMicroseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.Ticks;
        return ticks / 10 - (ticks % 10 < 0 ? 1 : 0);
    }

    /// <summary>The UTC instant <paramref name="microseconds"/> after the Unix epoch.</summary>
    public static DateTimeOffset FromUnixMicroseconds(long microseconds) =>
        new(DateTimeOffset.UnixEpoch.Ticks + microseconds * 10, TimeSpan.Zero);

    private static byte[] Fixed(char tag, long bits)
    {
        var bytes = new byte[9];
        bytes[0] = (byte)tag;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), bits);
        return bytes;
    }

    private static CairnException Corrupt() =>
        new(ErrorCodes.InternalError, "An online store holds a feature value this version of Cairn cannot read; re-materialize the view.");
}
