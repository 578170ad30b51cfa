namespace Cairn.Server.Tests.Security;

/// <summary>The resources one row of the matrix acts on, made afresh for each row by the admin.</summary>
internal sealed record MatrixFixture(string Experiment, string ExperimentName, string Run, string Model, string LoggedModel)
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}

/// <summary>One endpoint, a request to it, and the least role that may send it.</summary>
internal sealed record MatrixRow(string Method, string Pattern, Role Least, Func<MatrixFixture, (string Path, string? Json)> Request)
{
    /// <summary>Whether an allowed request leaves nothing for the next role to act on (a renamed model), so each role gets a fixture of its own.</summary>
    public bool FixturePerRole { get; init; }
}

/// <summary>
/// Who may call each endpoint with --auth, written from MLflow's auth rules (READ reads, EDIT
/// changes, MANAGE deletes and grants; creating needs only a sign-in) and Cairn's (the server's
/// shared resources follow the default permission, READ here: anyone signed in reads them, only
/// admins change them). Reader, editor and manager hold READ, EDIT and MANAGE on the fixture's
/// experiment and registered model; the outsider holds NO_PERMISSIONS on both.
/// </summary>
internal static class PermissionMatrix
{
    private const string Mlflow = "/api/2.0/mlflow";

    private static MatrixRow Get(string pattern, Role least, Func<MatrixFixture, string> path) =>
        new("GET", pattern, least, f => (path(f), null));

    private static MatrixRow Send(string method, string pattern, Role least, Func<MatrixFixture, string> json, Func<MatrixFixture, string>? path = null) =>
        new(method, pattern, least, f => (path?.Invoke(f) ?? pattern, json(f)));

    public static IReadOnlyList<MatrixRow> Rows { get; } =
    [
        Get("/health", Role.Anonymous, _ => "/health"),
        Get("/version", Role.Anonymous, _ => "/version"),
        Get("/openapi/{documentName}.json", Role.Outsider, _ => "/openapi/v1.json"),
        Get("/metrics", Role.Outsider, _ => "/metrics"),

        Send("POST", $"{Mlflow}/experiments/create", Role.Outsider, _ => $$"""{"name": "{{MatrixFixture.Unique("new")}}"}"""),
        Get($"{Mlflow}/experiments/get", Role.Reader, f => $"{Mlflow}/experiments/get?experiment_id={f.Experiment}"),
        Get($"{Mlflow}/experiments/get-by-name", Role.Reader, f => $"{Mlflow}/experiments/get-by-name?experiment_name={f.ExperimentName}"),
        Send("POST", $"{Mlflow}/experiments/search", Role.Outsider, _ => """{"max_results": 10}"""),
        Get($"{Mlflow}/experiments/search", Role.Outsider, _ => $"{Mlflow}/experiments/search?max_results=10"),
        Send("POST", $"{Mlflow}/experiments/update", Role.Editor, f => $$"""{"experiment_id": "{{f.Experiment}}", "new_name": "{{MatrixFixture.Unique("renamed")}}"}"""),
        Send("POST", $"{Mlflow}/experiments/delete", Role.Manager, f => $$"""{"experiment_id": "{{f.Experiment}}"}"""),
        Send("POST", $"{Mlflow}/experiments/restore", Role.Manager, f => $$"""{"experiment_id": "{{f.Experiment}}"}"""),
        Send("POST", $"{Mlflow}/experiments/set-experiment-tag", Role.Editor, f => $$"""{"experiment_id": "{{f.Experiment}}", "key": "k", "value": "v"}"""),
        Send("POST", $"{Mlflow}/experiments/delete-experiment-tag", Role.Editor, f => $$"""{"experiment_id": "{{f.Experiment}}", "key": "k"}"""),
        Send("POST", "/api/2.0/cairn/experiments/run-summaries", Role.Reader, f => $$"""{"experiment_ids": ["{{f.Experiment}}"]}"""),

        Send("POST", $"{Mlflow}/runs/create", Role.Editor, f => $$"""{"experiment_id": "{{f.Experiment}}"}"""),
        Get($"{Mlflow}/runs/get", Role.Reader, f => $"{Mlflow}/runs/get?run_id={f.Run}"),
        Send("POST", $"{Mlflow}/runs/update", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "status": "FINISHED"}"""),
        Send("POST", $"{Mlflow}/runs/delete", Role.Manager, f => $$"""{"run_id": "{{f.Run}}"}"""),
        Send("POST", $"{Mlflow}/runs/restore", Role.Manager, f => $$"""{"run_id": "{{f.Run}}"}"""),
        Send("POST", $"{Mlflow}/runs/search", Role.Reader, f => $$"""{"experiment_ids": ["{{f.Experiment}}"]}"""),
        Send("POST", $"{Mlflow}/runs/log-metric", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "key": "m", "value": 1.5, "timestamp": 1, "step": 0}"""),
        Send("POST", $"{Mlflow}/runs/log-parameter", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "key": "p{{Guid.NewGuid():N}}", "value": "1"}"""),
        Send("POST", $"{Mlflow}/runs/set-tag", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "key": "t", "value": "1"}"""),
        Send("POST", $"{Mlflow}/runs/delete-tag", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "key": "t"}"""),
        Send("POST", $"{Mlflow}/runs/log-inputs", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "datasets": []}"""),
        Send("POST", $"{Mlflow}/runs/log-batch", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "metrics": [{"key": "b", "value": 1, "timestamp": 1, "step": 0}]}"""),
        Send("POST", $"{Mlflow}/runs/outputs", Role.Editor, f => $$"""{"run_id": "{{f.Run}}", "models": [{"model_id": "{{f.LoggedModel}}", "step": 0}]}"""),
        Get($"{Mlflow}/metrics/get-history", Role.Reader, f => $"{Mlflow}/metrics/get-history?run_id={f.Run}&metric_key=m"),
        Get($"{Mlflow}/metrics/get-history-bulk", Role.Reader, f => $"{Mlflow}/metrics/get-history-bulk?run_id={f.Run}&run_ids={f.Run}&metric_key=m"),
        Get($"{Mlflow}/metrics/get-history-bulk-interval", Role.Reader, f => $"{Mlflow}/metrics/get-history-bulk-interval?run_ids={f.Run}&metric_key=m"),

        new("PUT", "/api/2.0/mlflow-artifacts/artifacts/{**path}", Role.Editor, f => ($"/api/2.0/mlflow-artifacts/artifacts/{f.Experiment}/{f.Run}/artifacts/notes.txt", "notes")),
        Get("/api/2.0/mlflow-artifacts/artifacts/{**path}", Role.Reader, f => $"/api/2.0/mlflow-artifacts/artifacts/{f.Experiment}/{f.Run}/artifacts/notes.txt"),
        Get("/api/2.0/mlflow-artifacts/artifacts", Role.Reader, f => $"/api/2.0/mlflow-artifacts/artifacts?path={f.Experiment}/{f.Run}"),
        Get($"{Mlflow}/artifacts/list", Role.Reader, f => $"{Mlflow}/artifacts/list?run_id={f.Run}"),
        new("POST", $"{Mlflow}/upload-artifact", Role.Editor, f => ($"/ajax-api/2.0/mlflow/upload-artifact?run_uuid={f.Run}&path=upload.txt", "uploaded")),

        Send("POST", $"{Mlflow}/registered-models/create", Role.Outsider, _ => $$"""{"name": "{{MatrixFixture.Unique("model")}}"}"""),
        Get($"{Mlflow}/registered-models/get", Role.Reader, f => $"{Mlflow}/registered-models/get?name={f.Model}"),
        Send("POST", $"{Mlflow}/registered-models/rename", Role.Editor, f => $$"""{"name": "{{f.Model}}", "new_name": "{{MatrixFixture.Unique("renamed")}}"}""") with { FixturePerRole = true },
        Send("PATCH", $"{Mlflow}/registered-models/update", Role.Editor, f => $$"""{"name": "{{f.Model}}", "description": "d"}"""),
        Send("DELETE", $"{Mlflow}/registered-models/delete", Role.Manager, f => $$"""{"name": "{{f.Model}}"}"""),
        Get($"{Mlflow}/registered-models/search", Role.Outsider, _ => $"{Mlflow}/registered-models/search"),
        Get($"{Mlflow}/registered-models/get-latest-versions", Role.Reader, f => $"{Mlflow}/registered-models/get-latest-versions?name={f.Model}"),
        Send("POST", $"{Mlflow}/registered-models/get-latest-versions", Role.Reader, f => $$"""{"name": "{{f.Model}}"}"""),
        Send("POST", $"{Mlflow}/registered-models/set-tag", Role.Editor, f => $$"""{"name": "{{f.Model}}", "key": "k", "value": "v"}"""),
        Send("DELETE", $"{Mlflow}/registered-models/delete-tag", Role.Editor, f => $$"""{"name": "{{f.Model}}", "key": "k"}"""),
        // A protected alias (champion) moves only with a second person's approval: ProtectedAliasTests.
        Send("POST", $"{Mlflow}/registered-models/alias", Role.Editor, f => $$"""{"name": "{{f.Model}}", "alias": "staging", "version": "1"}"""),
        Send("DELETE", $"{Mlflow}/registered-models/alias", Role.Editor, f => $$"""{"name": "{{f.Model}}", "alias": "staging"}"""),
        Get($"{Mlflow}/registered-models/alias", Role.Reader, f => $"{Mlflow}/registered-models/alias?name={f.Model}&alias=champion"),
        Send("POST", $"{Mlflow}/model-versions/create", Role.Editor, f => $$"""{"name": "{{f.Model}}", "source": "runs:/{{f.Run}}/model", "run_id": "{{f.Run}}"}"""),
        Get($"{Mlflow}/model-versions/get", Role.Reader, f => $"{Mlflow}/model-versions/get?name={f.Model}&version=1"),
        Send("PATCH", $"{Mlflow}/model-versions/update", Role.Editor, f => $$"""{"name": "{{f.Model}}", "version": "1", "description": "d"}"""),
        Send("DELETE", $"{Mlflow}/model-versions/delete", Role.Manager, f => $$"""{"name": "{{f.Model}}", "version": "1"}"""),
        Get($"{Mlflow}/model-versions/search", Role.Outsider, _ => $"{Mlflow}/model-versions/search"),
        Send("POST", $"{Mlflow}/model-versions/transition-stage", Role.Editor, f => $$"""{"name": "{{f.Model}}", "version": "1", "stage": "Staging", "archive_existing_versions": false}"""),
        Get($"{Mlflow}/model-versions/get-download-uri", Role.Reader, f => $"{Mlflow}/model-versions/get-download-uri?name={f.Model}&version=1"),
        Send("POST", $"{Mlflow}/model-versions/set-tag", Role.Editor, f => $$"""{"name": "{{f.Model}}", "version": "1", "key": "k", "value": "v"}"""),
        Send("DELETE", $"{Mlflow}/model-versions/delete-tag", Role.Editor, f => $$"""{"name": "{{f.Model}}", "version": "1", "key": "k"}"""),
        Send("POST", "/api/2.0/cairn/registry/transitions", Role.Editor, f => $$"""{"name": "{{f.Model}}", "version": "1", "alias": "champion", "action": "REQUESTED", "actor": "x", "timestamp": 1}"""),
        Get("/api/2.0/cairn/registry/transitions", Role.Reader, f => $"/api/2.0/cairn/registry/transitions?name={f.Model}"),

        Send("POST", $"{Mlflow}/logged-models/", Role.Editor, f => $$"""{"experiment_id": "{{f.Experiment}}", "name": "m"}""", _ => $"{Mlflow}/logged-models"),
        Get($"{Mlflow}/logged-models/{{modelId}}", Role.Reader, f => $"{Mlflow}/logged-models/{f.LoggedModel}"),
        Send("PATCH", $"{Mlflow}/logged-models/{{modelId}}", Role.Editor, _ => """{"status": "LOGGED_MODEL_READY"}""", f => $"{Mlflow}/logged-models/{f.LoggedModel}"),
        new("DELETE", $"{Mlflow}/logged-models/{{modelId}}", Role.Manager, f => ($"{Mlflow}/logged-models/{f.LoggedModel}", null)),
        Send("POST", $"{Mlflow}/logged-models/search", Role.Reader, f => $$"""{"experiment_ids": ["{{f.Experiment}}"]}"""),
        Send("PATCH", $"{Mlflow}/logged-models/{{modelId}}/tags", Role.Editor, _ => """{"tags": [{"key": "k", "value": "v"}]}""", f => $"{Mlflow}/logged-models/{f.LoggedModel}/tags"),
        new("DELETE", $"{Mlflow}/logged-models/{{modelId}}/tags/{{key}}", Role.Editor, f => ($"{Mlflow}/logged-models/{f.LoggedModel}/tags/k", null)),
        Send("POST", $"{Mlflow}/logged-models/{{modelId}}/params", Role.Editor, _ => """{"params": [{"key": "p", "value": "1"}]}""", f => $"{Mlflow}/logged-models/{f.LoggedModel}/params"),
        Get($"{Mlflow}/logged-models/{{modelId}}/artifacts/directories", Role.Reader, f => $"{Mlflow}/logged-models/{f.LoggedModel}/artifacts/directories"),
        Get($"{Mlflow}/logged-models/{{modelId}}/artifacts/files", Role.Reader, f => $"{Mlflow}/logged-models/{f.LoggedModel}/artifacts/files?artifact_file_path=MLmodel"),
        Get($"/ajax-api/2.0/mlflow/logged-models/{{modelId}}/artifacts/files", Role.Reader, f => $"/ajax-api/2.0/mlflow/logged-models/{f.LoggedModel}/artifacts/files?artifact_file_path=MLmodel"),

        // The user endpoints: admins, and each user about themself (the manager asks about the manager).
        Send("POST", $"{Mlflow}/users/create", Role.Admin, _ => $$"""{"username": "{{MatrixFixture.Unique("u")}}", "password": "a long password 1"}"""),
        Get($"{Mlflow}/users/get", Role.Manager, _ => $"{Mlflow}/users/get?username=manager"),
        Send("PATCH", $"{Mlflow}/users/update-password", Role.Manager, _ => """{"username": "manager", "password": "manager password 1"}"""),
        Send("PATCH", $"{Mlflow}/users/update-admin", Role.Admin, _ => """{"username": "reader", "is_admin": false}"""),
        Send("DELETE", $"{Mlflow}/users/delete", Role.Admin, _ => """{"username": "nobody-at-all"}"""),

        Send("POST", $"{Mlflow}/experiments/permissions/create", Role.Manager, f => $$"""{"experiment_id": "{{f.Experiment}}", "username": "admin", "permission": "READ"}"""),
        Get($"{Mlflow}/experiments/permissions/get", Role.Manager, f => $"{Mlflow}/experiments/permissions/get?experiment_id={f.Experiment}&username=reader"),
        Send("PATCH", $"{Mlflow}/experiments/permissions/update", Role.Manager, f => $$"""{"experiment_id": "{{f.Experiment}}", "username": "reader", "permission": "READ"}"""),
        Send("DELETE", $"{Mlflow}/experiments/permissions/delete", Role.Manager, f => $$"""{"experiment_id": "{{f.Experiment}}", "username": "nobody"}"""),
        Send("POST", $"{Mlflow}/registered-models/permissions/create", Role.Manager, f => $$"""{"name": "{{f.Model}}", "username": "admin", "permission": "READ"}"""),
        Get($"{Mlflow}/registered-models/permissions/get", Role.Manager, f => $"{Mlflow}/registered-models/permissions/get?name={f.Model}&username=reader"),
        Send("PATCH", $"{Mlflow}/registered-models/permissions/update", Role.Manager, f => $$"""{"name": "{{f.Model}}", "username": "reader", "permission": "READ"}"""),
        Send("DELETE", $"{Mlflow}/registered-models/permissions/delete", Role.Manager, f => $$"""{"name": "{{f.Model}}", "username": "nobody"}"""),

        // Cairn's administration endpoints: users and groups for admins; tokens for their user (the manager's
        // own) and admins; a token that is not the caller's only for admins; permissions as MLflow's, for managers.
        Get("/api/2.0/cairn/users/list", Role.Admin, _ => "/api/2.0/cairn/users/list"),
        Get("/api/2.0/cairn/users/get", Role.Manager, _ => "/api/2.0/cairn/users/get?username=manager"),
        Send("POST", "/api/2.0/cairn/tokens/create", Role.Manager, _ => """{"username": "manager", "name": "matrix"}"""),
        Get("/api/2.0/cairn/tokens/list", Role.Manager, _ => "/api/2.0/cairn/tokens/list?username=manager"),
        Send("POST", "/api/2.0/cairn/tokens/revoke", Role.Admin, _ => """{"token_id": "feedbeef0000"}"""),
        Send("POST", "/api/2.0/cairn/groups/add-member", Role.Admin, _ => """{"group": "matrix-team", "username": "reader"}"""),
        Send("POST", "/api/2.0/cairn/groups/remove-member", Role.Admin, _ => """{"group": "matrix-team", "username": "reader"}"""),
        Get("/api/2.0/cairn/groups/list", Role.Admin, _ => "/api/2.0/cairn/groups/list"),
        Send("POST", "/api/2.0/cairn/permissions/set", Role.Manager, f => $$"""{"resource_type": "experiment", "resource_id": "{{f.Experiment}}", "principal": "group:matrix-team", "permission": "READ"}"""),
        Get("/api/2.0/cairn/permissions/get", Role.Manager, f => $"/api/2.0/cairn/permissions/get?resource_type=registered_model&resource_id={f.Model}&principal=user:reader"),
        Get("/api/2.0/cairn/permissions/list", Role.Manager, f => $"/api/2.0/cairn/permissions/list?resource_type=experiment&resource_id={f.Experiment}"),
        Send("DELETE", "/api/2.0/cairn/permissions/delete", Role.Manager, f => $$"""{"resource_type": "registered_model", "resource_id": "{{f.Model}}", "principal": "group:nobody"}"""),

        Send("POST", "/api/2.0/cairn/features/online", Role.Outsider, _ => """{"features": ["v:f"], "entities": {"id": [1]}}"""),
        Send("POST", "/get-online-features", Role.Outsider, _ => """{"features": ["v:f"], "entities": {"id": [1]}}"""),
        Send("POST", "/api/2.0/cairn/features/push", Role.Admin, _ => """{"feature_view": "v", "rows": []}"""),
        Send("POST", "/api/2.0/cairn/feedback/get", Role.Outsider, _ => """{"request_ids": []}"""),

        Get("/api/2.0/cairn/audit/list", Role.Admin, _ => "/api/2.0/cairn/audit/list"),

        // The web UI: any signed-in user (each page shows only what they may read; admin pages: UiSignInTests).
        Get("/", Role.Outsider, _ => "/"),
    ];

    /// <summary>The server-wide groups (<c>Access.Shared</c>): GET reads, anything else changes.</summary>
    public static readonly string[] SharedPrefixes =
        ["/api/2.0/cairn/datasets", "/api/2.0/cairn/pipelines", "/api/2.0/cairn/monitors", "/api/2.0/cairn/feedback", "/api/2.0/cairn/endpoints", "/api/2.0/cairn/features"];

    /// <summary>A row for an endpoint of a shared group: readable by anyone signed in (default READ), changed by admins.</summary>
    public static MatrixRow Shared(string method, string pattern) =>
        new(method, pattern, method == "GET" ? Role.Outsider : Role.Admin, _ => (pattern, method == "GET" ? null : "{}"));
}
