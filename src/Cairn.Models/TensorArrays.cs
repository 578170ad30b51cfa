using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cairn.Models;

/// <summary>Typed arrays to and from ONNX Runtime tensors: conversion between element types, slices without copies, concatenation.</summary>
internal static class TensorArrays
{
    /// <summary>The array as the element type the graph wants: numbers convert among themselves; strings only to strings.</summary>
    public static Array ConvertTo(Array values, Type target, string name)
    {
        var source = values.GetType().GetElementType()!;
        if (source == target) return values;
        if (source == typeof(string) || target == typeof(string))
            throw CairnException.InvalidParameter($"Input '{name}' holds {Describe(source)} values; the model expects {Describe(target)}.");
        var converted = Array.CreateInstance(target, values.Length);
        for (var i = 0; i < values.Length; i++)
            converted.SetValue(System.Convert.ChangeType(values.GetValue(i), target, System.Globalization.CultureInfo.InvariantCulture), i);
        return converted;
    }

    public static Array Defaults(Type type, int length) =>
        type == typeof(string) ? Enumerable.Repeat("", length).ToArray() : Array.CreateInstance(type, length);

    /// <summary>Rows [start, start + count) of a column as a tensor of shape [count, ..tail], without copying.</summary>
    public static NamedOnnxValue Slice(string name, Array values, int start, int count, int width, int[] tail)
    {
        int[] shape = [count, .. tail];
        NamedOnnxValue Of<T>() => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<T>(((T[])values).AsMemory(start * width, count * width), shape));
        // By the exact element type: the runtime lets a uint[] pass for an int[] in a pattern match.
        return Type.GetTypeCode(values.GetType().GetElementType()) switch
        {
            TypeCode.Single => Of<float>(),
            TypeCode.Double => Of<double>(),
            TypeCode.Int64 => Of<long>(),
            TypeCode.Int32 => Of<int>(),
            TypeCode.Int16 => Of<short>(),
            TypeCode.SByte => Of<sbyte>(),
            TypeCode.UInt64 => Of<ulong>(),
            TypeCode.UInt32 => Of<uint>(),
            TypeCode.UInt16 => Of<ushort>(),
            TypeCode.Byte => Of<byte>(),
            TypeCode.Boolean => Of<bool>(),
            TypeCode.String => Of<string>(),
            _ => throw CairnException.InvalidParameter($"ONNX input '{name}' has element type {values.GetType().GetElementType()!.Name}, which Cairn cannot feed yet."),
        };
    }

    public static Array Flatten(object? value) => value switch
    {
        Tensor<float> t => t.ToArray(),
        Tensor<double> t => t.ToArray(),
        Tensor<long> t => t.ToArray(),
        Tensor<int> t => t.ToArray(),
        Tensor<short> t => t.ToArray(),
        Tensor<sbyte> t => t.ToArray(),
        Tensor<ulong> t => t.ToArray(),
        Tensor<uint> t => t.ToArray(),
        Tensor<ushort> t => t.ToArray(),
        Tensor<byte> t => t.ToArray(),
        Tensor<bool> t => t.ToArray(),
        Tensor<string> t => t.ToArray(),
        _ => throw new NotSupportedException($"ONNX output of type {value?.GetType().Name} is not supported."),
    };

    public static Array Concat(IReadOnlyList<Array> parts)
    {
        var joined = Array.CreateInstance(parts[0].GetType().GetElementType()!, parts.Sum(p => p.Length));
        var offset = 0;
        foreach (var part in parts)
        {
            Array.Copy(part, 0, joined, offset, part.Length);
            offset += part.Length;
        }
        return joined;
    }

    private static string Describe(Type type) =>
        type == typeof(string) ? "string (BYTES)" : type == typeof(float) ? "float32" : type == typeof(double) ? "float64"
        : type == typeof(long) ? "int64" : type == typeof(int) ? "int32" : type == typeof(bool) ? "bool" : type.Name;
}
