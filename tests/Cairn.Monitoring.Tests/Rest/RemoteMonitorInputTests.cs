using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Rest;

/// <summary>More wrong input sent to a running server, through the CLI and raw HTTP: each answer names the mistake, never a stack trace.</summary>
public sealed class RemoteMonitorInputTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Exit, string Out, string Err)> Cli(params string[] args) =>
        EndToEnd.MonitoredPoints.Cli(["--tracking-uri", _server.BaseUri.ToString(), .. args]);

    private async Task<(HttpStatusCode Status, JsonNode Body, string Text)> PostAsync(string path, string json)
    {
        using var response = await _server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!, text);
    }

    [Theory]
    [InlineData("--schedule", "every hour", "every hour")]
    [InlineData("--window", "forever", "forever")]
    [InlineData("--model", "points@champion", "points@champion")]
    public async Task Create_WithAWrongValue_ExitsTwoNamingIt(string option, string value, string named)
    {
        string[] args = option == "--model"
            ? ["monitor", "create", "wrong", option, value]
            : ["monitor", "create", "wrong", "--model", "models:/points@champion", option, value];
        var (exit, output, error) = await Cli(args);
        Assert.True(exit == 2, $"exit {exit}: {error}{output}");
        Assert.StartsWith("error: ", error);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task RunAndReport_OfAnUnknownMonitor_SayItDoesNotExist_ExitThree()
    {
        foreach (var args in new[] { new[] { "monitor", "run", "nobody" }, ["monitor", "report", "nobody"], ["monitor", "show", "nobody"] })
        {
            var (exit, output, error) = await Cli(args);
            Assert.True(exit == 3, $"{string.Join(' ', args)}: exit {exit}: {error}{output}"); // 3: not found
            Assert.Contains("no monitor named 'nobody'", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("null")]
    public async Task Feedback_WithALabelThatIsNoFiniteNumber_Is400(string label)
    {
        var (status, body, text) = await PostAsync("/api/2.0/cairn/feedback", $$"""{"labels": [{"request_id": "r", "row": 0, "label": {{label}}}]}""");
        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {text}");
        Assert.NotNull(body["error_code"]);
        Assert.Contains("label", body["message"]!.GetValue<string>());
        Assert.Empty(await _server.Stores.Monitors.GetFeedbackAsync(["r"]));
    }

    [Fact]
    public async Task Feedback_WithoutLabels_OrWithARowBelowZero_Is400()
    {
        foreach (var json in new[] { "{}", """{"labels": [{"row": 0, "label": 1}]}""", """{"labels": [{"request_id": "r", "row": -1, "label": 1}]}""" })
        {
            var (status, body, text) = await PostAsync("/api/2.0/cairn/feedback", json);
            Assert.True(status == HttpStatusCode.BadRequest, $"{json} → {(int)status}: {text}");
            Assert.Equal("INVALID_PARAMETER_VALUE", body["error_code"]!.GetValue<string>());
        }
    }
}
