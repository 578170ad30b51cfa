using System.Data.Common;

namespace Cairn.Storage.Sql;

/// <summary>
/// Copies every row of a Cairn metadata database into another (SQLite to PostgreSQL or back), in
/// one transaction on the target, so a failed copy leaves the target as it was. Ids, run UUIDs and
/// version numbers are kept, so artifact URIs and model sources stay valid.
/// </summary>
public static class MetadataCopier
{
    /// <summary>Tables in foreign-key order.</summary>
    public static readonly string[] Tables =
    [
        "experiments", "experiment_tags", "runs", "metrics", "latest_metrics", "params", "tags", "run_inputs",
        "registered_models", "registered_model_tags", "model_versions", "model_version_tags", "registered_model_aliases", "model_transitions",
        "datasets", "dataset_versions", "dataset_derived_from",
        "pipeline_schedules", "pipeline_triggers", "pipeline_fires",
        "monitors", "monitor_runs", "alert_states", "alert_events", "monitor_feedback",
        "endpoints", "endpoint_events",
        "feature_applies", "feature_definitions", "feature_statistics",
        "logged_models", "logged_model_tags", "logged_model_params", "logged_model_metrics", "run_outputs",
        "users", "user_groups", "api_tokens", "resource_permissions",
        "audit_log",
    ];

    /// <returns>Rows copied per table.</returns>
    public static async Task<IReadOnlyDictionary<string, long>> CopyAsync(SqlDatabase source, SqlDatabase target, CancellationToken ct = default)
    {
        using (var check = target.Open())
        {
            var existing = SqlCommands.ScalarLong(check, null, "SELECT COUNT(*) FROM runs")!.Value
                + SqlCommands.ScalarLong(check, null, "SELECT COUNT(*) FROM experiments WHERE experiment_id <> 0")!.Value
                + SqlCommands.ScalarLong(check, null, "SELECT COUNT(*) FROM registered_models")!.Value
                + SqlCommands.ScalarLong(check, null, "SELECT COUNT(*) FROM datasets")!.Value
                + SqlCommands.ScalarLong(check, null, "SELECT COUNT(*) FROM audit_log")!.Value; // the copied chain must start the log
            if (existing > 0)
                throw CairnException.InvalidState($"The target {target.Description} already holds experiments, runs, models, datasets or audit entries; migrate into an empty store.");
        }
        var counts = new Dictionary<string, long>();
        using var from = source.Open();
        await target.WriteAsync((c, t) =>
        {
            SqlCommands.Exec(c, t, "DELETE FROM experiments WHERE experiment_id = 0"); // the target's own Default comes from the source
            foreach (var table in Tables) counts[table] = CopyTable(from, target, c, t, table);
            target.AfterBulkCopy(c, t);
        }, ct).ConfigureAwait(false);
        return counts;
    }

    private static long CopyTable(DbConnection from, SqlDatabase target, DbConnection to, DbTransaction transaction, string table)
    {
        using var select = from.CreateCommand();
        select.CommandText = $"SELECT * FROM {table}";
        using var reader = select.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        return target.BulkInsert(to, transaction, table, columns, Rows(reader));
    }

    private static IEnumerable<object?[]> Rows(DbDataReader reader)
    {
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }
}
