using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Cairn.Serving.Protocols;

/// <summary>
/// The binary tensor data extension of the Open Inference Protocol (KServe, Triton): after the
/// JSON object, each binary tensor's values, little-endian, row-major, no padding; BOOL one byte;
/// BYTES a 4-byte little-endian length before each element. The JSON object's length is in the
/// <c>Inference-Header-Content-Length</c> header; a tensor's byte count is its
/// <c>binary_data_size</c> parameter.
/// </summary>
public static class BinaryTensorData
{
    /// <summary>The HTTP header that carries the byte length of the JSON part of a binary request or answer.</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>Reported in the server metadata's <c>extensions</c>, as Triton names it.</summary>
    public const string Extension = "binary_tensor_data";

    /// <summary>
    /// Decodes <paramref name="count"/> values of <paramref name="datatype"/> into the typed array
    /// the JSON path would give (float[] for FP16/FP32, long[] for the integer types ...).
    /// </summary>
    public static Array Decode(ReadOnlySpan<byte> bytes, string datatype, long count, string name)
    {
        var size = ElementSize(datatype, name);
        if (size > 0 && bytes.Length != count * size)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has binary_data_size {bytes.Length}, but {count} {datatype} values take {count * size} bytes.");
        switch (datatype)
        {
            case "FP32": return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case "FP64": return MemoryMarshal.Cast<byte, double>(bytes).ToArray();
            case "INT64": return MemoryMarshal.Cast<byte, long>(bytes).ToArray();
            case "BOOL": return Widen(bytes, count, (b, i) => b[i] != 0);
            case "FP16": return Widen(bytes, count, (b, i) => (float)BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..]));
            case "INT8": return Widen(bytes, count, (b, i) => (long)(sbyte)b[i]);
            case "UINT8": return Widen(bytes, count, (b, i) => (long)b[i]);
            case "INT16": return Widen(bytes, count, (b, i) => (long)BinaryPrimitives.ReadInt16LittleEndian(b[(i * 2)..]));
            case "UINT16": return Widen(bytes, count, (b, i) => (long)BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..]));
            case "INT32": return Widen(bytes, count, (b, i) => (long)BinaryPrimitives.ReadInt32LittleEndian(b[(i * 4)..]));
            case "UINT32": return Widen(bytes, count, (b, i) => (long)BinaryPrimitives.ReadUInt32LittleEndian(b[(i * 4)..]));
            case "UINT64": return Widen(bytes, count, (b, i) => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..])));
            default: return DecodeStrings(bytes, count, name);
        }
    }

    /// <summary>
    /// Decodes a response's tensor into an array of its own element type (uint[] for UINT32, short[]
    /// for INT16 ...; FP16 widened to float[]), as a client reads what a server sent.
    /// </summary>
    public static Array DecodeExact(ReadOnlySpan<byte> bytes, string datatype, long count, string name)
    {
        var size = ElementSize(datatype, name);
        if (size > 0 && bytes.Length != count * size)
            throw CairnException.InvalidParameter($"Tensor '{name}' has binary_data_size {bytes.Length}, but {count} {datatype} values take {count * size} bytes.");
        return datatype switch
        {
            "FP32" => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            "FP64" => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
            "FP16" => Widen(bytes, count, (b, i) => (float)BinaryPrimitives.ReadHalfLittleEndian(b[(i * 2)..])),
            "INT8" => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(),
            "INT16" => MemoryMarshal.Cast<byte, short>(bytes).ToArray(),
            "INT32" => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
            "INT64" => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
            "UINT8" => bytes.ToArray(),
            "UINT16" => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(),
            "UINT32" => MemoryMarshal.Cast<byte, uint>(bytes).ToArray(),
            "UINT64" => MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(),
            "BOOL" => Widen(bytes, count, (b, i) => b[i] != 0),
            _ => DecodeStrings(bytes, count, name),
        };
    }

    private delegate T Reader<T>(ReadOnlySpan<byte> bytes, int index);

    private static T[] Widen<T>(ReadOnlySpan<byte> bytes, long count, Reader<T> read)
    {
        var values = new T[count];
        for (var i = 0; i < values.Length; i++) values[i] = read(bytes, i);
        return values;
    }

    private static string[] DecodeStrings(ReadOnlySpan<byte> bytes, long count, string name)
    {
        if (count * 4 > bytes.Length || count < 0) // checked before allocating: each element has at least its 4-byte length
            throw CairnException.InvalidParameter($"Input tensor '{name}' has binary_data_size {bytes.Length}, too small for {count} BYTES elements of 4 bytes of length each at least.");
        var values = new string[count];
        var at = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (bytes.Length - at < 4)
                throw CairnException.InvalidParameter($"Input tensor '{name}': its binary data ends before element {i} of {count}.");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
            at += 4;
            if (length > bytes.Length - at)
                throw CairnException.InvalidParameter($"Input tensor '{name}': element {i} claims {length} bytes, more than its binary data has left.");
            values[i] = Encoding.UTF8.GetString(bytes.Slice(at, (int)length));
            at += (int)length;
        }
        if (at != bytes.Length)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has binary_data_size {bytes.Length}, but its {count} BYTES elements take {at}.");
        return values;
    }

    /// <summary>Bytes per element; 0 for BYTES (length-prefixed).</summary>
    private static int ElementSize(string datatype, string name) => datatype switch
    {
        "BOOL" or "INT8" or "UINT8" => 1,
        "INT16" or "UINT16" or "FP16" => 2,
        "INT32" or "UINT32" or "FP32" => 4,
        "INT64" or "UINT64" or "FP64" => 8,
        "BYTES" => 0,
        _ => throw CairnException.InvalidParameter($"Input tensor '{name}' has datatype '{datatype}': expected BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES."),
    };

    /// <summary>The number of bytes <see cref="Encode"/> writes for these values.</summary>
    public static long EncodedSize(Array values) => values switch
    {
        string[] a => a.Sum(s => 4L + Encoding.UTF8.GetByteCount(s ?? "")),
        bool[] a => a.Length,
        _ => (long)values.Length * Marshal.SizeOf(values.GetType().GetElementType()!),
    };

    /// <summary>Writes the values as the extension lays them out (this runs on little-endian machines only, as .NET on x64 and Arm64).</summary>
    public static void Encode(Array values, IBufferWriter<byte> output)
    {
        switch (values)
        {
            case float[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case double[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case long[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case int[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case bool[] a: output.Write(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case string[] a:
                foreach (var s in a)
                {
                    var text = s ?? "";
                    var span = output.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(text.Length));
                    var written = Encoding.UTF8.GetBytes(text, span[4..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)written);
                    output.Advance(4 + written);
                }
                break;
            case var _ when values.GetType().GetElementType()!.IsPrimitive:
                // The other integer types (uint[] also lands here or above: the same bytes either way).
                var bytes = new byte[Buffer.ByteLength(values)];
                Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
                output.Write(bytes);
                break;
            default: throw new NotSupportedException($"No binary encoding for {values.GetType().Name}.");
        }
    }
}
