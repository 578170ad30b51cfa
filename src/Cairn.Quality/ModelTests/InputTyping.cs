using System.Globalization;
using Cairn.Models;

namespace Cairn.Quality.ModelTests;

/// <summary>Values written as text (in YAML or CSV) converted to the types of a model's signature inputs.</summary>
internal static class InputTyping
{
    public static bool IsNumeric(ColumnSpec input) => input.Type is "float" or "double" or "integer" or "long";

    /// <summary>The typed value, or null with <paramref name="error"/> saying why not.</summary>
    public static object? Convert(string text, ColumnSpec input, out string? error)
    {
        error = null;
        switch (input.Type)
        {
            case "string":
                return text;
            case "boolean":
                if (bool.TryParse(text, out var b)) return b;
                error = $"expected true or false, not '{text}'";
                return null;
            case "float" or "double" or "integer" or "long":
                if (text.Length == 0) return FromNumber(double.NaN, input);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return FromNumber(d, input);
                error = $"expected a number, not '{text}'";
                return null;
            default:
                error = $"the input's type is {input.Type}, which tests cannot write as text";
                return null;
        }
    }

    /// <summary>A number as the input's type (NaN stands for a missing float).</summary>
    public static object FromNumber(double value, ColumnSpec input) => input.Type switch
    {
        "float" => (float)value,
        "integer" => double.IsNaN(value) ? 0 : (int)Math.Round(value),
        "long" => double.IsNaN(value) ? 0L : (long)Math.Round(value),
        _ => value,
    };

    public static double ToNumber(object? value) => value switch
    {
        float f => f,
        double d => d,
        int i => i,
        long l => l,
        uint u => u,
        bool b => b ? 1 : 0,
        _ => double.NaN,
    };

    /// <summary>Rows written in a tests file, typed; an unknown or missing input is an error naming the line.</summary>
    public static List<IReadOnlyDictionary<string, object?>> Type(IReadOnlyList<TestRow> rows, ModelSignature signature, string source)
    {
        var inputs = signature.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var typed = new List<IReadOnlyDictionary<string, object?>>(rows.Count);
        foreach (var row in rows)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, text) in row.Values)
            {
                if (!inputs.TryGetValue(name, out var input))
                    throw CairnException.InvalidParameter($"{source} line {row.Line}: the model has no input '{name}' (its inputs: {string.Join(", ", inputs.Keys)}).");
                values[name] = Convert(text, input, out var error)
                    ?? throw CairnException.InvalidParameter($"{source} line {row.Line}: input '{name}': {error}.");
            }
            var missing = signature.Inputs.Where(i => !values.ContainsKey(i.Name)).Select(i => i.Name).ToList();
            if (missing.Count > 0)
                throw CairnException.InvalidParameter($"{source} line {row.Line}: the row lacks the model input{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}.");
            typed.Add(values);
        }
        return typed;
    }

    /// <summary>The rows with one input changed.</summary>
    public static List<IReadOnlyDictionary<string, object?>> Perturb(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, Perturbation perturbation, ModelSignature signature, string source, int line)
    {
        var input = signature.Inputs.FirstOrDefault(i => i.Name == perturbation.Input)
            ?? throw CairnException.InvalidParameter($"{source} line {line}: the perturbation names '{perturbation.Input}', which is not a model input (its inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))}).");
        if (perturbation.Operation != PerturbOperation.Set && !IsNumeric(input))
            throw CairnException.InvalidParameter($"{source} line {line}: {perturbation.Operation.ToString().ToLowerInvariant()} needs a numeric input, and '{input.Name}' is {input.Type}.");
        object? set = null;
        if (perturbation.Operation == PerturbOperation.Set)
            set = Convert(perturbation.Value, input, out var error) ?? throw CairnException.InvalidParameter($"{source} line {line}: set {input.Name}: {error}.");
        var amount = perturbation.Operation == PerturbOperation.Set ? 0 : double.Parse(perturbation.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return rows.Select(row =>
        {
            var changed = new Dictionary<string, object?>(row, StringComparer.Ordinal);
            changed[input.Name] = perturbation.Operation switch
            {
                PerturbOperation.Set => set,
                PerturbOperation.Add => FromNumber(ToNumber(row[input.Name]) + amount, input),
                _ => FromNumber(ToNumber(row[input.Name]) * amount, input),
            };
            return (IReadOnlyDictionary<string, object?>)changed;
        }).ToList();
    }
}
