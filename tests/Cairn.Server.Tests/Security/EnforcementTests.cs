using System.Text.Json.Nodes;
using Cairn.Security;

namespace Cairn.Server.Tests.Security;

/// <summary>What the matrix does not show: searches leave out what the caller may not read, creators manage, and ids cannot be smuggled past the check.</summary>
public sealed class EnforcementTests : IAsyncLifetime
{
    private AuthServers _servers = null!;

    public async Task InitializeAsync() => _servers = await AuthServers.SqliteAsync();

    public async Task DisposeAsync() => await _servers.DisposeAsync();

    private async Task<string> ExperimentAsync(string name) =>
        (await _servers.AdminAsync("POST", "/api/2.0/mlflow/experiments/create", $$"""{"name": "{{name}}"}"""))["experiment_id"]!.GetValue<string>();

    private Task HideFromOutsiderAsync(string type, string id) =>
        _servers.Identity.SetPermissionAsync(new ResourcePermission(type, id, Principals.User("outsider"), Permission.NoPermissions));

    [Fact]
    public async Task ExperimentSearch_LeavesOutUnreadable_AndPagesThroughTheRestWithoutSkipping()
    {
        var prefix = MatrixFixture.Unique("s");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add(await ExperimentAsync($"{prefix}-{i}"));
        var hidden = new[] { ids[0], ids[2], ids[3], ids[6] };
        foreach (var id in hidden) await HideFromOutsiderAsync(ResourceTypes.Experiment, id);

        async Task<List<string>> PagesAsync(Role role)
        {
            var seen = new List<string>();
            string? token = null;
            do
            {
                var body = JsonSerializer(new { max_results = 2, filter = $"name LIKE '{prefix}-%'", page_token = token });
                var (status, page) = await _servers.SendAsync(role, "POST", "/api/2.0/mlflow/experiments/search", body);
                Assert.Equal(200, status);
                var items = page!["experiments"]?.AsArray().Select(e => e!["experiment_id"]!.GetValue<string>()).ToList() ?? [];
                Assert.True(items.Count <= 2);
                seen.AddRange(items);
                token = page["next_page_token"]?.GetValue<string>();
            } while (token is not null);
            return seen;
        }

        Assert.Equal(ids.Except(hidden).Order(), (await PagesAsync(Role.Outsider)).Order());
        Assert.Equal(ids.Order(), (await PagesAsync(Role.Reader)).Order());
        Assert.Equal(ids.Order(), (await PagesAsync(Role.Admin)).Order());
    }

    [Fact]
    public async Task RegistrySearches_LeaveOutModelsTheCallerMayNotRead()
    {
        var prefix = MatrixFixture.Unique("m");
        foreach (var suffix in new[] { "open", "closed" })
        {
            await _servers.AdminAsync("POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{prefix}}-{{suffix}}"}""");
            await _servers.AdminAsync("POST", "/api/2.0/mlflow/model-versions/create", $$"""{"name": "{{prefix}}-{{suffix}}", "source": "mlflow-artifacts:/0/x/artifacts/model"}""");
        }
        await HideFromOutsiderAsync(ResourceTypes.RegisteredModel, $"{prefix}-closed");

        async Task<List<string>> NamesAsync(Role role, string path, string list)
        {
            var (status, body) = await _servers.SendAsync(role, "GET", $"{path}?filter={Uri.EscapeDataString($"name LIKE '{prefix}-%'")}&max_results=1");
            Assert.Equal(200, status);
            return body![list]!.AsArray().Select(m => m!["name"]!.GetValue<string>()).ToList();
        }

        Assert.Equal([$"{prefix}-open"], await NamesAsync(Role.Outsider, "/api/2.0/mlflow/registered-models/search", "registered_models"));
        Assert.Equal([$"{prefix}-open"], await NamesAsync(Role.Outsider, "/api/2.0/mlflow/model-versions/search", "model_versions"));
        Assert.Single(await NamesAsync(Role.Reader, "/api/2.0/mlflow/registered-models/search", "registered_models"));
    }

    [Fact]
    public async Task TheCreator_ManagesWhatTheyCreate_AndOthersOnlyGetTheDefault()
    {
        var (created, body) = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/experiments/create", $$"""{"name": "{{MatrixFixture.Unique("own")}}"}""");
        Assert.Equal(200, created);
        var id = body!["experiment_id"]!.GetValue<string>();
        var model = MatrixFixture.Unique("own-model");
        Assert.Equal(200, (await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{model}}"}""")).Status);

        Assert.Equal(403, (await _servers.SendAsync(Role.Reader, "POST", "/api/2.0/mlflow/experiments/delete", $$"""{"experiment_id": "{{id}}"}""")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/experiments/permissions/create", $$"""{"experiment_id": "{{id}}", "username": "reader", "permission": "EDIT"}""")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Reader, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{id}}"}""")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/experiments/delete", $$"""{"experiment_id": "{{id}}"}""")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Outsider, "DELETE", "/api/2.0/mlflow/registered-models/delete", $$"""{"name": "{{model}}"}""")).Status);
    }

    [Fact]
    public async Task ARenamedModel_KeepsItsPermissions_AndADeletedOne_TakesThemAlong()
    {
        var model = MatrixFixture.Unique("kept");
        await _servers.AdminAsync("POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{model}}"}""");
        await _servers.GrantRolesAsync(ResourceTypes.RegisteredModel, model);
        var renamed = model + "-2";
        Assert.Equal(200, (await _servers.SendAsync(Role.Editor, "POST", "/api/2.0/mlflow/registered-models/rename", $$"""{"name": "{{model}}", "new_name": "{{renamed}}"}""")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "GET", $"/api/2.0/mlflow/registered-models/get?name={renamed}")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Editor, "PATCH", "/api/2.0/mlflow/registered-models/update", $$"""{"name": "{{renamed}}", "description": "d"}""")).Status);

        Assert.Equal(200, (await _servers.SendAsync(Role.Manager, "DELETE", "/api/2.0/mlflow/registered-models/delete", $$"""{"name": "{{renamed}}"}""")).Status);
        Assert.Empty(await _servers.Identity.ListPermissionsAsync(ResourceTypes.RegisteredModel, renamed));
        // Made again by someone else, the name starts afresh: the old manager has only the default.
        Assert.Equal(200, (await _servers.SendAsync(Role.Reader, "POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{renamed}}"}""")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Manager, "DELETE", "/api/2.0/mlflow/registered-models/delete", $$"""{"name": "{{renamed}}"}""")).Status);
    }

    [Fact]
    public async Task IdsHiddenByRepeatedOrDifferentlyCasedFields_AreCheckedAsTheEndpointReadsThem()
    {
        var open = await ExperimentAsync(MatrixFixture.Unique("open"));
        var closed = await ExperimentAsync(MatrixFixture.Unique("closed"));
        await _servers.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, open, Principals.User("outsider"), Permission.Edit));
        await HideFromOutsiderAsync(ResourceTypes.Experiment, closed);

        // The deserializer takes the last of a repeated name and matches names without case.
        var repeated = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{open}}", "experiment_id": "{{closed}}"}""");
        var cased = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{open}}", "EXPERIMENT_ID": "{{closed}}"}""");
        var wrongType = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": {{closed}}}""");
        var malformed = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{closed}}" """);
        var repeatedQuery = await _servers.SendAsync(Role.Outsider, "GET", $"/api/2.0/mlflow/experiments/get?experiment_id={open}&experiment_id={closed}");
        var reversed = await _servers.SendAsync(Role.Outsider, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{closed}}", "experiment_id": "{{open}}"}""");

        Assert.Equal(403, repeated.Status);
        Assert.Equal(403, cased.Status);
        Assert.Equal(400, wrongType.Status);
        Assert.Equal(400, malformed.Status);
        Assert.NotEqual(200, repeatedQuery.Status);
        Assert.NotEqual(403, repeatedQuery.Status); // "open,closed" is checked as the one id the endpoint reads: no such experiment
        Assert.Equal(200, reversed.Status);
        Assert.Equal(open, reversed.Body!["run"]!["info"]!["experiment_id"]!.GetValue<string>());
        Assert.Empty(await RunsInAsync(closed));
    }

    [Fact]
    public async Task ArtifactsOfAnExperiment_FollowItsPermissions_AndOtherPathsNeedTheServersDefault()
    {
        var closed = await ExperimentAsync(MatrixFixture.Unique("art"));
        var run = (await _servers.AdminAsync("POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{closed}}"}"""))["run"]!["info"]!["run_id"]!.GetValue<string>();
        await HideFromOutsiderAsync(ResourceTypes.Experiment, closed);
        await _servers.AdminAsync("PUT", $"/api/2.0/mlflow-artifacts/artifacts/{closed}/{run}/artifacts/secret.txt", "secret");

        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "GET", $"/api/2.0/mlflow-artifacts/artifacts/{closed}/{run}/artifacts/secret.txt")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "GET", $"/api/2.0/mlflow-artifacts/artifacts/{closed}/./{run}/artifacts/secret.txt")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "GET", $"/api/2.0/mlflow-artifacts/artifacts?path={closed}")).Status);
        Assert.Equal(200, (await _servers.SendAsync(Role.Reader, "GET", $"/api/2.0/mlflow-artifacts/artifacts/{closed}/{run}/artifacts/secret.txt")).Status);
        // Outside every experiment's folder: reading follows the default (READ), writing needs an admin.
        Assert.Equal(403, (await _servers.SendAsync(Role.Manager, "PUT", "/api/2.0/mlflow-artifacts/artifacts/elsewhere/file.txt", "x")).Status);
        Assert.NotEqual(403, (await _servers.SendAsync(Role.Outsider, "GET", "/api/2.0/mlflow-artifacts/artifacts/elsewhere/file.txt")).Status);
    }

    [Fact]
    public async Task RegistryFiles_FollowTheirModelsPermissions_EvenWhenANameHoldsASlash()
    {
        var parent = MatrixFixture.Unique("team");
        var child = parent + "/delay";
        foreach (var name in new[] { parent, child })
            await _servers.AdminAsync("POST", "/api/2.0/mlflow/registered-models/create", $$"""{"name": "{{name}}"}""");
        await _servers.GrantRolesAsync(ResourceTypes.RegisteredModel, parent);
        await _servers.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.RegisteredModel, child, Principals.User("reader"), Permission.Edit));

        string Put(string model) => $"/api/2.0/mlflow-artifacts/artifacts/registry/{model}/1/signatures/key.dsse.json";
        Assert.Equal(200, (await _servers.SendAsync(Role.Editor, "PUT", Put(parent), "{}")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "PUT", Put(parent), "{}")).Status);
        // An editor of the parent name may not write the files of the model whose name extends it.
        Assert.Equal(403, (await _servers.SendAsync(Role.Editor, "PUT", Put(child), "{}")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Reader, "PUT", Put(child), "{}")).Status); // EDIT on the child, READ on the parent
        Assert.Equal(200, (await _servers.SendAsync(Role.Admin, "PUT", Put(child), "{}")).Status);
        Assert.Equal(403, (await _servers.SendAsync(Role.Outsider, "GET", Put(parent))).Status);
    }

    [Fact]
    public async Task WithNoPermissionsByDefault_UsersSeeOnlyWhatTheyCreatedOrWereGiven()
    {
        await using var closed = await AuthServers.SqliteAsync(Permission.NoPermissions);
        var others = (await closed.AdminAsync("POST", "/api/2.0/mlflow/experiments/create", """{"name": "admins"}"""))["experiment_id"]!.GetValue<string>();
        var (_, created) = await closed.SendAsync(Role.Editor, "POST", "/api/2.0/mlflow/experiments/create", """{"name": "editors"}""");
        var own = created!["experiment_id"]!.GetValue<string>();

        var (_, page) = await closed.SendAsync(Role.Editor, "POST", "/api/2.0/mlflow/experiments/search", """{"max_results": 100}""");
        Assert.Equal([own], page!["experiments"]!.AsArray().Select(e => e!["experiment_id"]!.GetValue<string>()));
        Assert.Equal(403, (await closed.SendAsync(Role.Editor, "GET", $"/api/2.0/mlflow/experiments/get?experiment_id={others}")).Status);
        Assert.Equal(403, (await closed.SendAsync(Role.Editor, "GET", "/api/2.0/mlflow/experiments/get?experiment_id=0")).Status);
        Assert.Equal(403, (await closed.SendAsync(Role.Editor, "GET", "/api/2.0/cairn/datasets/list")).Status);
        Assert.Equal(200, (await closed.SendAsync(Role.Editor, "POST", "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{own}}"}""")).Status);
    }

    private async Task<JsonArray> RunsInAsync(string experiment) =>
        (await _servers.AdminAsync("POST", "/api/2.0/mlflow/runs/search", $$"""{"experiment_ids": ["{{experiment}}"]}"""))["runs"]?.AsArray() ?? [];

    private static string JsonSerializer(object value) => System.Text.Json.JsonSerializer.Serialize(value);
}
