namespace Cairn.Serving.Protocols;

/// <summary>The Open Inference Protocol's datatype names and the .NET element types they map to.</summary>
public static class OpenInferenceDatatypes
{
    /// <summary>Whether the text is one of the Open Inference Protocol's datatypes.</summary>
    public static bool IsDatatype(string? datatype) =>
        datatype is "BOOL" or "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64" or "FP16" or "FP32" or "FP64" or "BYTES";

    /// <summary>The OIP datatype of an element type; BYTES for strings and anything without a numeric one.</summary>
    public static string Datatype(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Single => "FP32",
        TypeCode.Double => "FP64",
        TypeCode.Boolean => "BOOL",
        TypeCode.SByte => "INT8",
        TypeCode.Int16 => "INT16",
        TypeCode.Int32 => "INT32",
        TypeCode.Int64 => "INT64",
        TypeCode.Byte => "UINT8",
        TypeCode.UInt16 => "UINT16",
        TypeCode.UInt32 => "UINT32",
        TypeCode.UInt64 => "UINT64",
        _ => "BYTES",
    };
}
