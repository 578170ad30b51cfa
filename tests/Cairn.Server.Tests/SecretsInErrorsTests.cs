using Cairn.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>An error body never carries an API token, even when the request put one where a name belongs.</summary>
public class SecretsInErrorsTests
{
    [Fact]
    public async Task NotFoundMessage_EchoingAToken_HasItMasked()
    {
        await using var server = await RunningServer.StartAsync();
        var token = ApiTokenSecrets.New().Secret;

        var (status, body) = await Json.GetAsync(server.Http, $"/api/2.0/mlflow/experiments/get-by-name?experiment_name={token}");

        Assert.Equal(404, status);
        var text = body!.ToJsonString();
        Assert.DoesNotContain(token, text);
        Assert.Contains("cairn_***", Json.Str(body["message"]));
    }
}
