namespace Cairn.Features;

/// <summary>
/// The C# code of an on-demand feature view (<see cref="OnDemandFeatureViewDefinition.Function"/>
/// names it by <see cref="Name"/>). Cairn calls the same function for online lookups and for
/// training sets, so a model is trained on exactly what it is served. Implementations must be pure
/// (same rows in, same values out) and have a public parameterless constructor to be loaded from an
/// assembly (<c>--feature-functions</c>).
/// </summary>
public interface IOnDemandFeatureFunction
{
    /// <summary>The name definitions use in <c>function:</c>.</summary>
    string Name { get; }

    /// <summary>
    /// One output row per input row, in order. Each input row maps the view's request fields and
    /// its inputs (by feature name alone) to a value: <c>long</c>, <c>double</c>, <c>string</c>,
    /// <c>bool</c>, a UTC <see cref="DateTimeOffset"/>, or null where a stored value is missing or
    /// expired. Each output row maps every declared feature to a value of its type, or null.
    /// </summary>
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Compute(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows);
}
