using System.Text;
using System.Text.Json.Nodes;
using Cairn.Deployments;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>The endpoint API as raw JSON: the shapes docs/rest-api.md shows, and 4xx (never 500) for hostile bodies.</summary>
public sealed class EndpointsApiTests : IAsyncLifetime
{
    private const string Base = "/api/2.0/cairn/endpoints";
    private const string Spec = """{"name": "delay-api", "variants": [{"name": "blue", "model": "models:/delay/3", "weight": 100}]}""";
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static void AssertError((int Status, JsonNode? Body) response, int status, string code, string messagePart)
    {
        Assert.True(response.Status == status, $"expected {status}, got {response.Status}: {response.Body?.ToJsonString()}");
        Assert.Equal(code, Json.Str(response.Body!["error_code"]));
        Assert.Contains(messagePart, Json.Str(response.Body["message"]));
    }

    private async Task<(int Status, JsonNode? Body)> DeleteAsync(string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Base + "/delete") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task CreateUpdateEvents_AnswerTheShapesTheDocsShow()
    {
        var created = await Json.OkAsync(Json.PostAsync(Http, Base + "/create", $$"""{"spec": {{Spec}}, "actor": "ana"}"""));
        var endpoint = created["endpoint"]!;
        Assert.Equal(1, endpoint["revision"]!.GetValue<int>());
        Assert.Equal("live", Json.Str(endpoint["spec"]!["variants"]![0]!["role"]));
        Assert.Equal(1, endpoint["spec"]!["min_replicas"]!.GetValue<int>());

        var updated = await Json.OkAsync(Json.PostAsync(Http, Base + "/update", """
            {"spec": {"name": "delay-api", "variants": [{"name": "blue", "model": "models:/delay/3", "weight": 50},
                                                         {"name": "green", "model": "models:/delay/4", "weight": 50}]},
             "expected_revision": 1,
             "change": {"kind": "weights_changed", "message": "blue=50, green=50", "actor": "ana"}}
            """));
        Assert.Equal(2, updated["endpoint"]!["revision"]!.GetValue<int>());
        await Json.OkAsync(Json.PostAsync(Http, Base + "/events/append", """{"name": "delay-api", "change": {"kind": "scaled", "message": "2 replicas", "actor": "cairn"}}"""));

        var events = (await Json.OkAsync(Json.GetAsync(Http, Base + "/events?name=delay-api&max_results=2")))["events"]!.AsArray();
        Assert.Equal(["scaled", "weights_changed"], events.Select(e => Json.Str(e!["kind"])));
        Assert.Equal(2, events[0]!["revision"]!.GetValue<int>());
        Assert.Equal("delay-api", Json.Str(events[0]!["endpoint"]));
        Assert.Single((await Json.OkAsync(Json.GetAsync(Http, Base + "/list")))["endpoints"]!.AsArray());
        Assert.Equal(2, (await Json.OkAsync(Json.GetAsync(Http, Base + "/get?name=delay-api")))["endpoint"]!["revision"]!.GetValue<int>());

        var deleted = await DeleteAsync("""{"name": "delay-api", "actor": "ana"}""");
        Assert.Equal(200, deleted.Status);
        AssertError(await Json.GetAsync(Http, Base + "/get?name=delay-api"), 404, "RESOURCE_DOES_NOT_EXIST", "delay-api");
    }

    [Fact]
    public async Task StaleRevision_Is400InvalidState()
    {
        await Json.OkAsync(Json.PostAsync(Http, Base + "/create", $$"""{"spec": {{Spec}}, "actor": "ana"}"""));
        var change = """{"kind": "updated", "message": "", "actor": "ana"}""";
        await Json.OkAsync(Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": 1, "change": {{change}}}"""));
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": 1, "change": {{change}}}"""),
            400, "INVALID_STATE", "read it again and retry");
    }

    [Fact]
    public async Task HostileBodies_Are4xxWithAnErrorCode()
    {
        await Json.OkAsync(Json.PostAsync(Http, Base + "/create", $$"""{"spec": {{Spec}}, "actor": "ana"}"""));
        var change = """{"kind": "updated", "message": "m", "actor": "ana"}""";

        // Unknown keys, in the spec, a variant or the wrapper.
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"name": "x", "variants": [], "replica": 2}, "actor": "ana"}"""), 400, "BAD_REQUEST", "replica");
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"name": "x", "variants": [{"name": "b", "model": "models:/d/1", "weigth": 100}]}, "actor": "ana"}"""),
            400, "BAD_REQUEST", "weigth");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revison": 1, "change": {{change}}}"""), 400, "BAD_REQUEST", "expected_revison");
        // Malformed JSON, wrong types, an empty or null body.
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"name": "x", """), 400, "BAD_REQUEST", "Malformed JSON");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": "one", "change": {{change}}}"""), 400, "BAD_REQUEST", "Malformed JSON");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": 99999999999, "change": {{change}}}"""), 400, "BAD_REQUEST", "Malformed JSON");
        AssertError(await Json.PostAsync(Http, Base + "/create", "null"), 400, "BAD_REQUEST", "empty or null");
        AssertError(await Json.PostAsync(Http, Base + "/create", "[1, 2]"), 400, "BAD_REQUEST", "Malformed JSON");
        // Missing fields.
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"actor": "ana"}"""), 400, "INVALID_PARAMETER_VALUE", "spec");
        AssertError(await Json.PostAsync(Http, Base + "/create", $$"""{"spec": {{Spec}}}"""), 400, "INVALID_PARAMETER_VALUE", "actor");
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"variants": [{"name": "b", "model": "models:/d/1", "weight": 100}]}, "actor": "ana"}"""),
            400, "INVALID_PARAMETER_VALUE", "name");
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"name": "x", "variants": [null]}, "actor": "ana"}"""), 400, "INVALID_PARAMETER_VALUE", "null");
        AssertError(await Json.PostAsync(Http, Base + "/create", """{"spec": {"name": "x", "variants": [{"name": "b", "weight": 100}]}, "actor": "ana"}"""), 400, "INVALID_PARAMETER_VALUE", "model");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "change": {{change}}}"""), 400, "INVALID_PARAMETER_VALUE", "expected_revision");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": 1}"""), 400, "INVALID_PARAMETER_VALUE", "change");
        AssertError(await Json.PostAsync(Http, Base + "/update", $$"""{"spec": {{Spec}}, "expected_revision": 1, "change": {"kind": "updated"} }"""), 400, "INVALID_PARAMETER_VALUE", "change.actor");
        AssertError(await Json.PostAsync(Http, Base + "/events/append", $$"""{"change": {{change}}}"""), 400, "INVALID_PARAMETER_VALUE", "name");
        AssertError(await Json.GetAsync(Http, Base + "/get"), 400, "INVALID_PARAMETER_VALUE", "name");
        AssertError(await Json.GetAsync(Http, Base + "/events"), 400, "INVALID_PARAMETER_VALUE", "name");
        AssertError(await DeleteAsync("""{"name": "delay-api"}"""), 400, "INVALID_PARAMETER_VALUE", "actor");
        AssertError(await DeleteAsync("""{"actor": "ana"}"""), 400, "INVALID_PARAMETER_VALUE", "name");
        // Limits.
        AssertError(await Json.GetAsync(Http, Base + "/events?name=delay-api&max_results=1000000"), 400, "INVALID_PARAMETER_VALUE", "max_results");
        AssertError(await Json.GetAsync(Http, Base + "/events?name=delay-api&max_results=99999999999999"), 400, "INVALID_PARAMETER_VALUE", "max_results");
        AssertError(await Json.GetAsync(Http, Base + "/events?name=delay-api&max_results=-1"), 400, "INVALID_PARAMETER_VALUE", "max_results");
        AssertError(await Json.GetAsync(Http, Base + "/get?name=" + new string('x', 5_000)), 400, "INVALID_PARAMETER_VALUE", "endpoint");
        // Nothing of that changed the endpoint.
        var got = await Json.OkAsync(Json.GetAsync(Http, Base + "/get?name=delay-api"));
        Assert.Equal(1, got["endpoint"]!["revision"]!.GetValue<int>());
    }

    [Fact]
    public async Task CairnClient_Endpoints_AreTheServersOverHttpAndTheFilesEmbedded()
    {
        var spec = new EndpointSpec("delay-api", [new EndpointVariant("blue", "models:/delay/3", 100)]);
        using (var remote = _server.Client())
        {
            await remote.Endpoints.CreateEndpointAsync(spec, "ana");
            Assert.Equal(1, (await _server.Stores.Endpoints.GetEndpointAsync("delay-api")).Revision);
            var e = await Assert.ThrowsAsync<CairnException>(() => remote.Endpoints.UpdateEndpointAsync(spec, 2, new EndpointChange("updated", "", "ana")));
            Assert.Equal(ErrorCodes.InvalidState, e.ErrorCode);
        }
        using var folder = new TempFolder();
        using (var embedded = CairnClient.Open(folder.Path))
            await embedded.Endpoints.CreateEndpointAsync(spec, "ana");
        using (var again = CairnClient.Open(folder.Path))
            Assert.Equal("delay-api", Assert.Single(await again.Endpoints.ListEndpointsAsync()).Name);
    }
}
