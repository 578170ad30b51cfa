namespace Cairn.Search;

/// <summary>What an identifier in a filter or order-by refers to.</summary>
public enum EntityKind { Metric, Param, Tag, Attribute }

public enum Comparator { Equal, NotEqual, Greater, GreaterOrEqual, Less, LessOrEqual, Like, ILike, In, NotIn }

/// <summary>A literal on the right of a comparison: a string, a number, or a list of strings.</summary>
public abstract record FilterValue;
public sealed record StringValue(string Value) : FilterValue;
public sealed record NumberValue(double Value) : FilterValue;
public sealed record ListValue(IReadOnlyList<string> Values) : FilterValue;

/// <summary>One <c>kind.key op value</c> term; a filter is the AND of its comparisons.</summary>
public sealed record Comparison(EntityKind Kind, string Key, Comparator Op, FilterValue Value, int Position);

public sealed record OrderByTerm(EntityKind Kind, string Key, bool Ascending);

public static class ComparatorText
{
    public static string Of(Comparator op) => op switch
    {
        Comparator.Equal => "=",
        Comparator.NotEqual => "!=",
        Comparator.Greater => ">",
        Comparator.GreaterOrEqual => ">=",
        Comparator.Less => "<",
        Comparator.LessOrEqual => "<=",
        Comparator.Like => "LIKE",
        Comparator.ILike => "ILIKE",
        Comparator.In => "IN",
        Comparator.NotIn => "NOT IN",
        _ => op.ToString(),
    };
}
