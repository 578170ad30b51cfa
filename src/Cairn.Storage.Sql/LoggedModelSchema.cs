namespace Cairn.Storage.Sql;

/// <summary>
/// MLflow 3's logged models, one text for SQLite and PostgreSQL. A model's experiment is kept by
/// id, runs by their uuid (a model may outlive or predate its run). Metric values keep their
/// dataset ('' for none, so that equality works without NULL cases) and NaN as a flag, as the
/// run metrics do. Model versions gain the id of the logged model they were registered from.
/// </summary>
public static class LoggedModelSchema
{
    public const string Description = "tracking: MLflow 3 logged models (tags, params, metrics by dataset), run outputs, model_id of model versions";

    public const string Sql = """
        CREATE TABLE logged_models (
            model_id TEXT PRIMARY KEY,
            experiment_id BIGINT NOT NULL,
            name TEXT NOT NULL,
            artifact_location TEXT NOT NULL,
            creation_timestamp_ms BIGINT NOT NULL,
            last_updated_timestamp_ms BIGINT NOT NULL,
            status TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            model_type TEXT,
            source_run_id TEXT,
            status_message TEXT);
        CREATE INDEX ix_logged_models_experiment ON logged_models (experiment_id, creation_timestamp_ms);
        CREATE INDEX ix_logged_models_source_run ON logged_models (source_run_id);
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key));
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key));
        CREATE TABLE logged_model_metrics (
            model_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            is_nan INTEGER NOT NULL,
            timestamp BIGINT NOT NULL,
            step BIGINT NOT NULL,
            dataset_name TEXT NOT NULL,
            dataset_digest TEXT NOT NULL,
            run_id TEXT NOT NULL);
        CREATE INDEX ix_logged_model_metrics ON logged_model_metrics (model_id, key, dataset_name, dataset_digest);
        CREATE TABLE run_outputs (
            run_id BIGINT NOT NULL,
            model_id TEXT NOT NULL,
            step BIGINT NOT NULL,
            PRIMARY KEY (run_id, model_id, step));
        ALTER TABLE model_versions ADD COLUMN model_id TEXT;
        """;
}
