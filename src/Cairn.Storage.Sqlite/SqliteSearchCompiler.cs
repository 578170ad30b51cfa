using System.Text;
using Cairn.Search;
using Cairn.Tracking;

namespace Cairn.Storage.Sqlite;

/// <summary>The SQL a search compiles to: joins, the WHERE/ORDER/LIMIT clause, and its parameters.</summary>
public sealed record CompiledSearch(string Joins, string Clause, IReadOnlyList<(string Name, object? Value)> Parameters);

/// <summary>
/// Compiles parsed filters and order-by terms to parameterized SQLite SQL. Values and keys are
/// always bound as parameters, never spliced into the text, so no filter can inject SQL.
/// </summary>
public static class SqliteSearchCompiler
{
    public static CompiledSearch CompileRunSearch(RunQuery query, IReadOnlyList<long> experimentIds, long offset)
    {
        var comparisons = FilterParser.Parse(query.Filter);
        var orderBy = FilterParser.ParseOrderBy(query.OrderBy);
        var p = new List<(string, object?)>();
        string Bind(object? value) { var name = "$p" + p.Count; p.Add((name, value)); return name; }

        var joins = new StringBuilder();
        var where = new List<string>();
        where.Add(experimentIds.Count == 0 ? "0" : $"r.experiment_id IN ({string.Join(',', experimentIds.Select(e => Bind(e)))})");
        where.Add(ViewTypeCondition(query.ViewType, "r.lifecycle_stage"));

        var alias = 0;
        foreach (var c in comparisons)
        {
            switch (c.Kind)
            {
                case EntityKind.Metric:
                {
                    var a = "f" + alias++;
                    joins.Append($" JOIN latest_metrics {a} ON {a}.run_id = r.id AND {a}.key = {Bind(c.Key)} AND {a}.is_nan = 0 AND {a}.value {NumericOperator(c.Op)} {Bind(((NumberValue)c.Value).Value)}");
                    break;
                }
                case EntityKind.Param:
                case EntityKind.Tag:
                {
                    var a = "f" + alias++;
                    var table = c.Kind == EntityKind.Param ? "params" : "tags";
                    joins.Append($" JOIN {table} {a} ON {a}.run_id = r.id AND {a}.key = {Bind(c.Key)} AND {StringCondition($"{a}.value", c, Bind)}");
                    break;
                }
                case EntityKind.Attribute:
                {
                    var attribute = RunAttributes.Resolve(c.Key);
                    where.Add(AttributeCondition("r." + attribute.Column, attribute, c, Bind));
                    break;
                }
            }
        }

        var order = new List<string>();
        foreach (var term in orderBy)
        {
            var direction = term.Ascending ? "ASC" : "DESC";
            switch (term.Kind)
            {
                case EntityKind.Metric:
                {
                    var a = "o" + alias++;
                    joins.Append($" LEFT JOIN latest_metrics {a} ON {a}.run_id = r.id AND {a}.key = {Bind(term.Key)}");
                    order.Add($"({a}.value IS NULL OR {a}.is_nan = 1)"); // missing and NaN last, as MLflow sorts
                    order.Add($"{a}.value {direction}");
                    break;
                }
                case EntityKind.Param:
                case EntityKind.Tag:
                {
                    var a = "o" + alias++;
                    var table = term.Kind == EntityKind.Param ? "params" : "tags";
                    joins.Append($" LEFT JOIN {table} {a} ON {a}.run_id = r.id AND {a}.key = {Bind(term.Key)}");
                    order.Add($"{a}.value IS NULL");
                    order.Add($"{a}.value {direction}");
                    break;
                }
                case EntityKind.Attribute:
                {
                    var column = "r." + RunAttributes.Resolve(term.Key).Column;
                    order.Add($"{column} IS NULL");
                    order.Add($"{column} {direction}");
                    break;
                }
            }
        }
        order.Add("r.start_time DESC");
        order.Add("r.run_uuid ASC");

        var clause = $"WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", order)} LIMIT {Bind((long)query.MaxResults + 1)} OFFSET {Bind(offset)}";
        return new CompiledSearch(joins.ToString(), clause, p);
    }

    public static CompiledSearch CompileExperimentSearch(ExperimentQuery query, long offset)
    {
        var comparisons = FilterParser.Parse(query.Filter);
        var orderBy = FilterParser.ParseOrderBy(query.OrderBy);
        var p = new List<(string, object?)>();
        string Bind(object? value) { var name = "$p" + p.Count; p.Add((name, value)); return name; }

        var where = new List<string> { ViewTypeCondition(query.ViewType, "lifecycle_stage") };
        foreach (var c in comparisons)
        {
            switch (c.Kind)
            {
                case EntityKind.Attribute:
                    var attribute = ExperimentAttributes.Resolve(c.Key);
                    where.Add(AttributeCondition(attribute.Column, attribute, c, Bind));
                    break;
                case EntityKind.Tag:
                    where.Add($"EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = {Bind(c.Key)} AND {StringCondition("t.value", c, Bind)})");
                    break;
                default:
                    throw CairnException.InvalidParameter($"Experiments can be filtered on attributes and tags only, not on {c.Kind.ToString().ToLowerInvariant()}s.");
            }
        }
        var order = new List<string>();
        foreach (var term in orderBy)
        {
            if (term.Kind != EntityKind.Attribute)
                throw CairnException.InvalidParameter("Experiments can be ordered by attributes only (name, experiment_id, creation_time, last_update_time).");
            order.Add($"{ExperimentAttributes.Resolve(term.Key).Column} {(term.Ascending ? "ASC" : "DESC")}");
        }
        if (order.Count == 0) order.Add("creation_time DESC");
        order.Add("experiment_id ASC");
        var clause = $"WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", order)} LIMIT {Bind((long)query.MaxResults + 1)} OFFSET {Bind(offset)}";
        return new CompiledSearch("", clause, p);
    }

    private static string ViewTypeCondition(ViewType viewType, string column) => viewType switch
    {
        ViewType.ActiveOnly => $"{column} = 'active'",
        ViewType.DeletedOnly => $"{column} = 'deleted'",
        _ => "1",
    };

    private static string NumericOperator(Comparator op) => op switch
    {
        Comparator.Equal => "=",
        Comparator.NotEqual => "!=",
        Comparator.Greater => ">",
        Comparator.GreaterOrEqual => ">=",
        Comparator.Less => "<",
        Comparator.LessOrEqual => "<=",
        _ => throw CairnException.InvalidParameter($"Operator {ComparatorText.Of(op)} does not apply to numbers."),
    };

    private static string StringCondition(string column, Comparison c, Func<object?, string> bind)
    {
        return c.Op switch
        {
            Comparator.Equal => $"{column} = {bind(Text(c))}",
            Comparator.NotEqual => $"{column} != {bind(Text(c))}",
            // SQLite's LIKE ignores ASCII case; MLflow's LIKE does not, so LIKE becomes GLOB.
            Comparator.Like => $"{column} GLOB {bind(LikeToGlob(Text(c)))}",
            Comparator.ILike => $"{column} LIKE {bind(Text(c))}",
            Comparator.In => $"{column} IN ({string.Join(',', List(c).Select(v => bind(v)))})",
            Comparator.NotIn => $"{column} NOT IN ({string.Join(',', List(c).Select(v => bind(v)))})",
            _ => throw CairnException.InvalidParameter($"Operator {ComparatorText.Of(c.Op)} does not apply to strings; use =, !=, LIKE, ILIKE, IN or NOT IN."),
        };
    }

    private static string AttributeCondition(string column, RunAttributes.Attribute attribute, Comparison c, Func<object?, string> bind)
    {
        if (attribute.IsNumeric)
        {
            if (c.Value is not NumberValue number)
                throw CairnException.InvalidParameter($"Attribute '{attribute.Name}' is a number (milliseconds since the epoch): compare it with a number.");
            return $"{column} {NumericOperator(c.Op)} {bind(number.Value)}";
        }
        if (c.Value is NumberValue)
            throw CairnException.InvalidParameter($"Attribute '{attribute.Name}' is a string: quote the value.");
        return StringCondition(column, c, bind);
    }

    private static string Text(Comparison c) => c.Value is StringValue s
        ? s.Value
        : throw CairnException.InvalidParameter($"'{c.Key}' must be compared with a quoted string.");

    private static IReadOnlyList<string> List(Comparison c) => c.Value is ListValue l
        ? l.Values
        : throw CairnException.InvalidParameter($"{ComparatorText.Of(c.Op)} needs a parenthesized list of strings.");

    /// <summary>Turns a SQL LIKE pattern into a case-sensitive GLOB pattern with the same meaning.</summary>
    public static string LikeToGlob(string like)
    {
        var sb = new StringBuilder(like.Length + 8);
        foreach (var ch in like)
        {
            sb.Append(ch switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }
}
