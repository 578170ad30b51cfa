using Cairn.Testing;

namespace Cairn.Serving.Tests;

/// <summary>SageMaker starts a container as `docker run IMAGE serve`: the word lands after the image's `cairn serve /model ...`.</summary>
public partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_WithSageMakersTrailingServeArgument_StartsAndAnswersPingAndInvocations()
    {
        using var folder = new TempFolder();
        await RegisterThresholdModel(folder.Path);

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", "models:/threshold@champion", "--inference-log", "none", "serve"],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.Path, ["SAGEMAKER_BIND_TO_PORT"] = "0" });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(line).Value) };

        using var ping = await http.GetAsync("/ping");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations") { Content = new StringContent("0.9\n0.1\n", System.Text.Encoding.UTF8, "text/csv") };
        request.Headers.Add("Accept", "text/csv");
        using var invocations = await http.SendAsync(request);
        var body = await invocations.Content.ReadAsStringAsync();
        // Azure ML's rows of a one-column model: each row's one cell is the value.
        using var azure = await http.PostAsync("/score", new StringContent("""{"input_data": [[0.9], [0.1]]}""", System.Text.Encoding.UTF8, "application/json"));
        var azureBody = await azure.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, ping.StatusCode);
        Assert.True(invocations.IsSuccessStatusCode, body);
        var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("true,", lines[0]);  // PredictedLabel, Score, Probability
        Assert.StartsWith("false,", lines[1]);
        Assert.True(azure.IsSuccessStatusCode, azureBody);
        var rows = System.Text.Json.Nodes.JsonNode.Parse(azureBody)!.AsArray();
        Assert.True(rows[0]!["PredictedLabel"]!.GetValue<bool>());
        Assert.False(rows[1]!["PredictedLabel"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Serve_WithAnotherTrailingWord_FailsNamingIt()
    {
        using var folder = new TempFolder();
        var (exit, output) = await Cairn(folder.Path, "serve", "models:/threshold@champion", "train");

        Assert.NotEqual(0, exit);
        Assert.Contains("Unexpected argument 'train'", output);
    }
}
