using System.Globalization;

namespace Cairn.Pipelines;

/// <summary>Checks parameter values against their declared types and fills in defaults.</summary>
public static class ParameterValues
{
    /// <summary>
    /// The value of every parameter for a run: those given, else the defaults. An unknown name, a
    /// missing value without default or a value of the wrong type is an error naming the parameter.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Resolve(PipelineDefinition pipeline, IReadOnlyDictionary<string, string> given)
    {
        foreach (var name in given.Keys)
            if (pipeline.Parameters.All(p => p.Name != name))
                throw CairnException.InvalidParameter(
                    $"The pipeline {pipeline.Name} has no parameter '{name}'" +
                    (pipeline.Parameters.Count == 0 ? "." : $"; it has {string.Join(", ", pipeline.Parameters.Select(p => p.Name))}."));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pipeline.Parameters)
        {
            var value = given.TryGetValue(p.Name, out var v) ? v : p.Default
                ?? throw CairnException.InvalidParameter($"The parameter '{p.Name}' has no default: pass -p {p.Name}=<{p.Type.ToString().ToLowerInvariant()}>.");
            values[p.Name] = Check(p, value);
        }
        return values;
    }

    /// <summary>The value in canonical form (so 3 and 03 share a cache entry), or an error.</summary>
    public static string Check(PipelineParameter p, string value)
    {
        var where = p.Location is null ? $"The parameter '{p.Name}'" : $"{p.Location}: the parameter '{p.Name}'";
        string Wrong(string expected) => throw CairnException.InvalidParameter($"{where} is of type {p.Type.ToString().ToLowerInvariant()}: '{value}' is not {expected}.");
        switch (p.Type)
        {
            case ParameterType.Int:
                return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i.ToString(CultureInfo.InvariantCulture) : Wrong("an integer");
            case ParameterType.Float:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f)
                    ? f.ToString("R", CultureInfo.InvariantCulture) : Wrong("a finite number");
            case ParameterType.Bool:
                return value.ToLowerInvariant() switch { "true" or "yes" or "1" => "true", "false" or "no" or "0" => "false", _ => Wrong("true or false") };
            case ParameterType.Range:
                var parts = value.Split('-');
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b)
                    return $"{a}-{b}";
                if (parts.Length == 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var single))
                    return $"{single}-{single}";
                return Wrong("a range such as 1-3");
            default:
                return value;
        }
    }

    public static ParameterType ParseType(string text, string where) => text.ToLowerInvariant() switch
    {
        "string" or "str" => ParameterType.String,
        "int" or "integer" => ParameterType.Int,
        "float" or "number" or "double" => ParameterType.Float,
        "bool" or "boolean" => ParameterType.Bool,
        "range" => ParameterType.Range,
        _ => throw CairnException.InvalidParameter($"{where}: '{text}' is not a parameter type: use string, int, float, bool or range."),
    };
}
