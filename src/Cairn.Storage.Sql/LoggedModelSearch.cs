using System.Text;
using Cairn.Search;
using Cairn.Tracking;

namespace Cairn.Storage.Sql;

/// <summary>
/// Compiles a logged-model search to one parameterized SELECT tail (FROM is the caller's:
/// <c>logged_models m</c>). A metric's value is a model's latest (by timestamp, then step) for
/// each dataset it was logged on; filters and orderings on metrics consider only the datasets
/// the query names, as MLflow's store does.
/// </summary>
public static class LoggedModelSearch
{
    private sealed record Attribute(string Column, bool IsNumeric);

    private static readonly Dictionary<string, Attribute> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["name"] = new("m.name", false),
        ["model_id"] = new("m.model_id", false),
        ["model_type"] = new("m.model_type", false),
        ["status"] = new("m.status", false),
        ["source_run_id"] = new("m.source_run_id", false),
        ["experiment_id"] = new("m.experiment_id", true),
        ["creation_timestamp"] = new("m.creation_timestamp_ms", true),
        ["creation_time"] = new("m.creation_timestamp_ms", true),
        ["last_updated_timestamp"] = new("m.last_updated_timestamp_ms", true),
        ["last_updated_time"] = new("m.last_updated_timestamp_ms", true),
    };

    public static (string Clause, IReadOnlyList<(string Name, object? Value)> Parameters) Compile(LoggedModelQuery query, IReadOnlyList<long> experimentIds, SqlDialect dialect)
    {
        var p = new List<(string, object?)>();
        string Bind(object? value) { var name = "@p" + p.Count; p.Add((name, value)); return name; }

        var where = new List<string>
        {
            "m.lifecycle_stage = 'active'",
            experimentIds.Count == 0 ? "1 = 0" : $"m.experiment_id IN ({string.Join(", ", experimentIds.Select(e => Bind(e)))})",
        };
        var datasets = query.Datasets is { Count: > 0 } ds ? ds : null;
        if (datasets is not null && datasets.Any(d => d is null || string.IsNullOrEmpty(d.DatasetName)))
            throw CairnException.InvalidParameter("Each entry of 'datasets' needs a dataset_name (and optionally a dataset_digest).");
        foreach (var c in FilterParser.Parse(query.Filter))
        {
            switch (c.Kind)
            {
                case EntityKind.Metric:
                    var latest = LatestMetric(Bind(c.Key), datasets, Bind);
                    where.Add($"EXISTS (SELECT 1 FROM logged_model_metrics f WHERE {latest} AND f.is_nan = 0 AND f.value {ComparatorText.Of(c.Op)} {Bind(((NumberValue)c.Value).Value)})");
                    break;
                case EntityKind.Param:
                case EntityKind.Tag:
                    var table = c.Kind == EntityKind.Param ? "logged_model_params" : "logged_model_tags";
                    where.Add($"EXISTS (SELECT 1 FROM {table} f WHERE f.model_id = m.model_id AND f.key = {Bind(c.Key)} AND {SqlSearchCompiler.StringCondition("f.value", c, Bind, dialect)})");
                    break;
                default:
                    var attribute = Resolve(c.Key);
                    if (attribute.IsNumeric)
                    {
                        if (c.Value is not NumberValue number || c.Op is Comparator.Like or Comparator.ILike or Comparator.In or Comparator.NotIn)
                            throw CairnException.InvalidParameter($"Attribute '{c.Key}' is a number (milliseconds since the epoch for times): compare it with =, !=, <, <=, > or >= and a number.");
                        where.Add($"{attribute.Column} {ComparatorText.Of(c.Op)} {Bind(number.Value)}");
                    }
                    else
                    {
                        if (c.Value is NumberValue) throw CairnException.InvalidParameter($"Attribute '{c.Key}' is a string: quote the value.");
                        var comparison = attribute.Column == "m.status" ? c with { Value = StatusValue(c.Value) } : c;
                        where.Add(SqlSearchCompiler.StringCondition(attribute.Column, comparison, Bind, dialect));
                    }
                    break;
            }
        }

        var order = new List<string>();
        foreach (var term in query.OrderBy ?? [])
        {
            if (term is null || string.IsNullOrWhiteSpace(term.FieldName)) throw CairnException.InvalidParameter("An order_by entry of a logged-model search needs a field_name, such as creation_timestamp or metrics.accuracy.");
            var direction = term.Ascending ?? true ? "ASC" : "DESC";
            var field = term.FieldName.Trim();
            var dot = field.IndexOf('.');
            var prefix = dot > 0 ? field[..dot].ToLowerInvariant() : "";
            if (prefix is "metrics" or "metric")
            {
                var scope = term.DatasetName is { Length: > 0 } name ? [new LoggedModelDataset(name, term.DatasetDigest is { Length: > 0 } d ? d : null)] : datasets;
                var value = $"(SELECT f.value FROM logged_model_metrics f WHERE {LatestMetric(Bind(field[(dot + 1)..]), scope, Bind)} AND f.is_nan = 0 ORDER BY f.timestamp DESC, f.step DESC LIMIT 1)";
                order.Add($"{value} IS NULL"); // models without the metric last, either way
                order.Add($"{value} {direction}");
            }
            else
            {
                var key = prefix is "attributes" or "attribute" ? field[(dot + 1)..] : field;
                order.Add($"{Resolve(key).Column} {direction}");
            }
        }
        order.Add("m.creation_timestamp_ms DESC");
        order.Add("m.model_id ASC");
        return ($"WHERE {string.Join(" AND ", where)} ORDER BY {string.Join(", ", order)}", p);
    }

    /// <summary>Rows of <c>f</c> that are model <c>m</c>'s latest value of a key on a dataset (of the given ones, when any).</summary>
    private static string LatestMetric(string boundKey, IReadOnlyList<LoggedModelDataset>? datasets, Func<object?, string> bind)
    {
        var sql = new StringBuilder($"f.model_id = m.model_id AND f.key = {boundKey}");
        if (datasets is not null)
        {
            var any = datasets.Select(d => string.IsNullOrEmpty(d.DatasetDigest)
                ? $"f.dataset_name = {bind(d.DatasetName ?? "")}"
                : $"(f.dataset_name = {bind(d.DatasetName ?? "")} AND f.dataset_digest = {bind(d.DatasetDigest)})");
            sql.Append($" AND ({string.Join(" OR ", any)})");
        }
        sql.Append("""
             AND NOT EXISTS (SELECT 1 FROM logged_model_metrics g WHERE g.model_id = f.model_id AND g.key = f.key
                AND g.dataset_name = f.dataset_name AND g.dataset_digest = f.dataset_digest
                AND (g.timestamp > f.timestamp OR (g.timestamp = f.timestamp AND g.step > f.step)))
            """);
        return sql.ToString();
    }

    private static Attribute Resolve(string name) =>
        Attributes.TryGetValue(name, out var a)
            ? a
            : throw CairnException.InvalidParameter(
                $"Invalid logged model attribute '{name}'. Valid ones are: {string.Join(", ", Attributes.Keys.Order())}; or metrics.<key>, params.<key>, tags.<key>.");

    /// <summary>Status filters take MLflow's Python names (READY) or the REST ones (LOGGED_MODEL_READY).</summary>
    private static FilterValue StatusValue(FilterValue value)
    {
        static string Normalize(string s)
        {
            var upper = s.ToUpperInvariant();
            if (upper.StartsWith("LOGGED_MODEL_", StringComparison.Ordinal)) upper = upper["LOGGED_MODEL_".Length..];
            return upper is "UPLOAD_FAILED" ? "FAILED" : upper is "STATUS_UNSPECIFIED" ? "UNSPECIFIED" : upper;
        }
        return value switch
        {
            StringValue s => new StringValue(Normalize(s.Value)),
            ListValue l => new ListValue(l.Values.Select(Normalize).ToList()),
            _ => value,
        };
    }
}
