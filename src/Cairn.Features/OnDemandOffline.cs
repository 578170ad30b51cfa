using System.Globalization;
using System.Text;

namespace Cairn.Features;

/// <summary>
/// The on-demand step of a training set: after the point-in-time join, each on-demand view's
/// function runs over the joined rows (request fields from the entity table, inputs as joined:
/// null where missing or older than the TTL), in memory, and its features are joined back by row.
/// </summary>
internal static class OnDemandOffline
{
    private const string Row = "__cairn_row", Joined = "__cairn_joined";

    /// <summary>Request fields are columns of the entity table of a type that holds the declared one; outputs are not.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the view and column.</exception>
    public static async Task CheckEntityTableAsync(DuckDbSession session, string entityRead, string entityPath, IReadOnlyList<SelectedOnDemandView> onDemand, CancellationToken ct)
    {
        if (onDemand.Count == 0) return;
        var types = FeatureViewRelation.TypesByName(await session.DescribeAsync(entityRead, ct, $"Reading the columns of entity table '{entityPath}'"));
        foreach (var selected in onDemand)
        {
            foreach (var field in selected.View.RequestFields)
            {
                if (!types.TryGetValue(field.Name, out var type))
                    throw CairnException.InvalidParameter($"Entity table '{entityPath}' has no column '{field.Name}', a request field of on-demand feature view '{selected.View.Name}': add it (one value per row, as a request would send it).");
                if (!DuckDbSql.Holds(field.Type, type))
                    throw CairnException.InvalidParameter($"Entity table '{entityPath}': request field '{field.Name}' is {type}, but on-demand feature view '{selected.View.Name}' declares {field.Type.Name()}.");
            }
            foreach (var feature in selected.Features.Where(f => types.ContainsKey(f.Column)))
                throw CairnException.InvalidParameter($"Feature '{feature.Reference}' would be written to column '{feature.Column}', which the entity table already has; rename that column or request full feature names.");
        }
    }

    /// <summary>Runs <paramref name="joinQuery"/> (which starts with the row number) into a table, computes every on-demand view over it, and returns the query of the whole training set.</summary>
    public static async Task<string> ComputeAsync(DuckDbSession session, string joinQuery, FeatureSelectionPlan plan, OnDemandFeatureFunctions functions, CancellationToken ct)
    {
        await session.ExecuteAsync($"CREATE TEMP TABLE {Joined} AS {joinQuery}", ct, "The point-in-time join");
        var columnOf = plan.Views.SelectMany(v => v.Features).ToDictionary(f => f.Reference, f => (f.Column, f.Field));
        var select = new StringBuilder("SELECT j.* EXCLUDE (").Append(DuckDbSql.Identifier(Row));
        foreach (var hidden in plan.Views.SelectMany(v => v.Features).Where(f => !f.Output)) select.Append(", ").Append(DuckDbSql.Identifier(hidden.Column));
        select.Append(')');
        var from = new StringBuilder($" FROM {Joined} j");
        for (var i = 0; i < plan.OnDemand.Count; i++)
        {
            var view = plan.OnDemand[i].View;
            var reads = view.RequestFields.Select(f => (f.Name, Field: f, Sql: $"CAST({DuckDbSql.Identifier(f.Name)} AS {DuckDbSql.TypeOf(f.Type)})"))
                .Concat(view.Inputs.Select(input => (Name: input.Feature, columnOf[input].Field, Sql: DuckDbSql.Identifier(columnOf[input].Column)))).ToList();
            var rows = await session.RowsAsync($"SELECT {string.Join(", ", reads.Select(r => r.Sql).Prepend(DuckDbSql.Identifier(Row)))} FROM {Joined} ORDER BY {DuckDbSql.Identifier(Row)}",
                values => (Row: Convert.ToInt64(values[0], CultureInfo.InvariantCulture),
                    Inputs: (IReadOnlyDictionary<string, object?>)reads.Select((r, c) => (r.Name, Value: OnDemandValues.Stored(values[c + 1], r.Field))).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)),
                ct, $"Reading the inputs of on-demand feature view '{view.Name}'");
            var outputs = OnDemandFeatureComputer.Compute(view, functions, [.. rows.Select(r => r.Inputs)]);
            var table = $"__cairn_on_demand{i}";
            await session.ExecuteAsync($"CREATE TEMP TABLE {table} ({DuckDbSql.Identifier(Row)} BIGINT" +
                string.Concat(view.Features.Select(f => $", {DuckDbSql.Identifier(f.Name)} {DuckDbSql.TypeOf(f.Type)}")) + ")", ct, "Keeping on-demand features");
            await session.AppendAsync(table, rows.Select((row, r) => (object?[])[row.Row, .. outputs.Select(column => Appendable(column[r]))]), ct);
            foreach (var feature in plan.OnDemand[i].Features)
                select.Append(CultureInfo.InvariantCulture, $", o{i}.{DuckDbSql.Identifier(feature.Field.Name)} AS {DuckDbSql.Identifier(feature.Column)}");
            from.Append(CultureInfo.InvariantCulture, $" JOIN {table} o{i} ON o{i}.{DuckDbSql.Identifier(Row)} = j.{DuckDbSql.Identifier(Row)}");
        }
        return select.Append(from).Append(CultureInfo.InvariantCulture, $" ORDER BY j.{DuckDbSql.Identifier(Row)}").ToString();
    }

    /// <summary>The appender takes instants as UTC DateTime.</summary>
    private static object? Appendable(object? value) => value is DateTimeOffset t ? t.UtcDateTime : value;
}
