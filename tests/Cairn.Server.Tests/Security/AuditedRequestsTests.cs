using System.Text;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Tests.Security;

public sealed class AuditedRequestsTests
{
    private static HttpRequest Request(string method, string path, string query = "")
    {
        var http = new DefaultHttpContext();
        (http.Request.Method, http.Request.Path, http.Request.QueryString) = (method, path, new QueryString(query));
        return http.Request;
    }

    [Theory]
    [InlineData("POST", "/api/2.0/mlflow/runs/create", true)]
    [InlineData("PUT", "/api/2.0/mlflow-artifacts/artifacts/1/model.onnx", true)]
    [InlineData("PATCH", "/api/2.0/mlflow/users/update-password", true)]
    [InlineData("DELETE", "/api/2.0/mlflow/registered-models/delete", true)]
    [InlineData("POST", "/api/2.0/mlflow/runs/search", false)]
    [InlineData("POST", "/api/2.0/mlflow/logged-models/search/", false)]
    [InlineData("POST", "/api/2.0/cairn/features/get", false)]
    [InlineData("POST", "/get-online-features", false)]
    [InlineData("POST", "/api/2.0/cairn/experiments/run-summaries", false)]
    [InlineData("GET", "/api/2.0/mlflow/experiments/get", false)]
    [InlineData("HEAD", "/", false)]
    [InlineData("OPTIONS", "/api/2.0/mlflow/runs/create", false)]
    public void MayChange_IsEveryChangingMethod_ButTheReadOnlyPosts(string method, string path, bool recorded) =>
        Assert.Equal(recorded, AuditedRequests.MayChange(Request(method, path)));

    [Fact]
    public void CollectIds_TakesTheQueryFirst_ThenNestedJson_ButNeverOtherFields()
    {
        var ids = new Dictionary<string, string>();
        var body = Encoding.UTF8.GetBytes("""{"run_id": "from-body", "password": "secret", "version": 3}""");
        var response = Encoding.UTF8.GetBytes("""{"run": {"info": {"run_id": "ignored", "experiment_id": "7"}}, "items": [{"name": "in-array"}]}""");

        AuditedRequests.CollectIds(ids, Request("POST", "/x", "?run_id=from-query").Query, body, response, Encoding.UTF8.GetBytes("not json"));

        Assert.Equal(new Dictionary<string, string> { ["run_id"] = "from-query", ["version"] = "3", ["experiment_id"] = "7" }, ids);
        Assert.Equal("experiment_id=7 run_id=from-query version=3", Cairn.Security.AuditEntry.FormatResources(ids));
    }
}
