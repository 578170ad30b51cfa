using System.Text;
using Cairn.Search;
using Cairn.Tracking;

namespace Cairn.Storage.Sql;

/// <summary>The SQL a search compiles to: the WHERE/ORDER/LIMIT clause, and its parameters.</summary>
public sealed record CompiledSearch(string Clause, IReadOnlyList<(string Name, object? Value)> Parameters);

/// <summary>A SELECT of run rows, without LIMIT/OFFSET, and its parameters.</summary>
public sealed record RunSelect(string Sql, IReadOnlyList<(string Name, object? Value)> Parameters);

/// <summary>
/// How to read one page of a run search. When the first order-by term is a metric, param or tag,
/// <see cref="Ranked"/> walks that key's (key, value) index in order, so the first page costs a few
/// hundred index probes instead of a sort of every match; <see cref="Unranked"/> then lists the
/// runs that lack the value (MLflow puts them last), and <see cref="RankedCount"/> says where the
/// ranked part ends when a page starts past it.
/// </summary>
public sealed record RunSearchPlan(RunSelect Ranked, RunSelect? Unranked, RunSelect? RankedCount);

/// <summary>
/// Compiles parsed filters and order-by terms to parameterized SQLite SQL. Values and keys are
/// always bound as parameters, never spliced into the text, so no filter can inject SQL.
/// </summary>
public static class SqlSearchCompiler
{
    public const string RunColumns = "r.id, r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

    public static RunSearchPlan CompileRunSearch(RunQuery query, IReadOnlyList<long> experimentIds, SqlDialect dialect)
    {
        var comparisons = FilterParser.Parse(query.Filter);
        var orderBy = FilterParser.ParseOrderBy(query.OrderBy);
        var p = new List<(string, object?)>();
        string Bind(object? value) { var name = "@p" + p.Count; p.Add((name, value)); return name; }

        var where = new List<string>
        {
            experimentIds.Count == 0 ? "1 = 0" : $"r.experiment_id IN ({string.Join(',', experimentIds.Select(e => Bind(e)))})",
            ViewTypeCondition(query.ViewType, "r.lifecycle_stage"),
        };
        foreach (var c in comparisons) where.Add(FilterCondition(c, Bind, dialect));

        var rankedBy = orderBy.Count > 0 && orderBy[0].Kind != EntityKind.Attribute ? orderBy[0] : null;
        var joins = new System.Text.StringBuilder();
        var order = new List<string>();
        var alias = 0;
        foreach (var term in rankedBy is null ? orderBy : orderBy.Skip(1))
            order.AddRange(OrderTerm(term, joins, ref alias, Bind));
        order.Add("r.start_time DESC");
        order.Add("r.run_uuid ASC");
        var conditions = string.Join(" AND ", where);
        var tail = string.Join(", ", order);

        if (rankedBy is null)
            return new RunSearchPlan(new RunSelect($"SELECT {RunColumns} FROM runs r{joins} WHERE {conditions} ORDER BY {tail}", p), null, null);

        var (table, valid) = EntityTable(rankedBy.Kind, "d");
        var key = Bind(rankedBy.Key);
        // CROSS JOIN fixes the join order: SQLite walks d's (key, value) index in order, stops after the page.
        var ranked = $"FROM {table} d CROSS JOIN runs r{joins} WHERE d.key = {key}{valid} AND r.id = d.run_id AND {conditions}";
        var unranked = $"FROM runs r{joins} WHERE NOT EXISTS (SELECT 1 FROM {table} d WHERE d.run_id = r.id AND d.key = {key}{valid}) AND {conditions}";
        var direction = rankedBy.Ascending ? "ASC" : "DESC";
        return new RunSearchPlan(
            new RunSelect($"SELECT {RunColumns} {ranked} ORDER BY d.value {direction}, {tail}", p),
            new RunSelect($"SELECT {RunColumns} {unranked} ORDER BY {tail}", p),
            new RunSelect($"SELECT COUNT(*) {ranked}", p));
    }

    private static (string Table, string ValidCondition) EntityTable(EntityKind kind, string alias) => kind switch
    {
        EntityKind.Metric => ("latest_metrics", $" AND {alias}.is_nan = 0"),
        EntityKind.Param => ("params", ""),
        EntityKind.Tag => ("tags", ""),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string FilterCondition(Comparison c, Func<object?, string> bind, SqlDialect dialect)
    {
        switch (c.Kind)
        {
            case EntityKind.Metric:
                return $"EXISTS (SELECT 1 FROM latest_metrics f WHERE f.run_id = r.id AND f.key = {bind(c.Key)} AND f.is_nan = 0 AND f.value {NumericOperator(c.Op)} {bind(((NumberValue)c.Value).Value)})";
            case EntityKind.Param:
            case EntityKind.Tag:
                var table = c.Kind == EntityKind.Param ? "params" : "tags";
                return $"EXISTS (SELECT 1 FROM {table} f WHERE f.run_id = r.id AND f.key = {bind(c.Key)} AND {StringCondition("f.value", c, bind, dialect)})";
            default:
                var attribute = RunAttributes.Resolve(c.Key);
                return AttributeCondition("r." + attribute.Column, attribute, c, bind, dialect);
        }
    }

    private static IEnumerable<string> OrderTerm(OrderByTerm term, System.Text.StringBuilder joins, ref int alias, Func<object?, string> bind)
    {
        var direction = term.Ascending ? "ASC" : "DESC";
        if (term.Kind == EntityKind.Attribute)
        {
            var column = "r." + RunAttributes.Resolve(term.Key).Column;
            return column == "r.end_time" ? [$"{column} IS NULL", $"{column} {direction}"] : [$"{column} {direction}"];
        }
        var a = "o" + alias++;
        var (table, valid) = EntityTable(term.Kind, a);
        joins.Append($" LEFT JOIN {table} {a} ON {a}.run_id = r.id AND {a}.key = {bind(term.Key)}{valid}");
        return [$"{a}.value IS NULL", $"{a}.value {direction}"]; // missing (and NaN) values last, as MLflow sorts
    }

    public static CompiledSearch CompileExperimentSearch(ExperimentQuery query, long offset, SqlDialect dialect)
    {
        var comparisons = FilterParser.Parse(query.Filter);
        var orderBy = FilterParser.ParseOrderBy(query.OrderBy);
        var p = new List<(string, object?)>();
        string Bind(object? value) { var name = "@p" + p.Count; p.Add((name, value)); return name; }

        var where = new List<string> { ViewTypeCondition(query.ViewType, "lifecycle_stage") };
        foreach (var c in comparisons)
        {
            switch (c.Kind)
            {
                case EntityKind.Attribute:
                    var attribute = ExperimentAttributes.Resolve(c.Key);
                    where.Add(AttributeCondition(attribute.Column, attribute, c, Bind, dialect));
                    break;
                case EntityKind.Tag:
                    where.Add($"EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = experiments.experiment_id AND t.key = {Bind(c.Key)} AND {StringCondition("t.value", c, Bind, dialect)})");
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
        return new CompiledSearch(clause, p);
    }

    private static string ViewTypeCondition(ViewType viewType, string column) => viewType switch
    {
        ViewType.ActiveOnly => $"{column} = 'active'",
        ViewType.DeletedOnly => $"{column} = 'deleted'",
        _ => "1 = 1",
    };

    private static string NumericOperator(Comparator op) => op is Comparator.Like or Comparator.ILike or Comparator.In or Comparator.NotIn
        ? throw CairnException.InvalidParameter($"Operator {ComparatorText.Of(op)} does not apply to numbers.")
        : ComparatorText.Of(op);

    public static string StringCondition(string column, Comparison c, Func<object?, string> bind, SqlDialect dialect)
    {
        return c.Op switch
        {
            Comparator.Equal => $"{column} = {bind(Text(c))}",
            Comparator.NotEqual => $"{column} != {bind(Text(c))}",
            // MLflow's LIKE is case-sensitive and ILIKE is not, whatever the database's LIKE does.
            Comparator.Like => dialect.CaseSensitiveLike(column, bind(dialect.CaseSensitivePattern(Text(c)))),
            Comparator.ILike => dialect.CaseInsensitiveLike(column, bind(Text(c))),
            Comparator.In => $"{column} IN ({string.Join(',', List(c).Select(v => bind(v)))})",
            Comparator.NotIn => $"{column} NOT IN ({string.Join(',', List(c).Select(v => bind(v)))})",
            _ => throw CairnException.InvalidParameter($"Operator {ComparatorText.Of(c.Op)} does not apply to strings; use =, !=, LIKE, ILIKE, IN or NOT IN."),
        };
    }

    private static string AttributeCondition(string column, RunAttributes.Attribute attribute, Comparison c, Func<object?, string> bind, SqlDialect dialect)
    {
        if (attribute.IsNumeric)
        {
            if (c.Value is not NumberValue number)
                throw CairnException.InvalidParameter($"Attribute '{attribute.Name}' is a number (milliseconds since the epoch): compare it with a number.");
            return $"{column} {NumericOperator(c.Op)} {bind(number.Value)}";
        }
        if (c.Value is NumberValue)
            throw CairnException.InvalidParameter($"Attribute '{attribute.Name}' is a string: quote the value.");
        return StringCondition(column, c, bind, dialect);
    }

    private static string Text(Comparison c) => c.Value is StringValue s
        ? s.Value
        : throw CairnException.InvalidParameter($"'{c.Key}' must be compared with a quoted string.");

    private static IReadOnlyList<string> List(Comparison c) => c.Value is ListValue l
        ? l.Values
        : throw CairnException.InvalidParameter($"{ComparatorText.Of(c.Op)} needs a parenthesized list of strings.");
}
