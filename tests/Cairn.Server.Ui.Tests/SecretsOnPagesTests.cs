using System.Net;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>A run's tags and params may hold a connection string; pages show it with the password masked.</summary>
public sealed class SecretsOnPagesTests
{
    private const string Password = "hunter2pw";

    [Fact]
    public async Task RunPage_ShowsATagsConnectionStringWithoutItsPassword()
    {
        await using var server = await RunningServer.StartAsync();
        var experiment = await server.Store.CreateExperimentAsync("secrets");
        var run = await server.Store.CreateRunAsync(new NewRun(experiment, "u", 1_760_000_000_000L, "secret-run"));
        await server.Store.LogBatchAsync(run.Info.RunId, new LogBatch([], [new Param("db", $"Host=h;Password={Password}")],
            [new RunTag("source.db", $"postgresql://u:{Password}@h/db")]));

        using var response = await server.Http.GetAsync($"/runs/{run.Info.RunId}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("postgresql://u:***@h/db", WebUtility.HtmlDecode(html));
        Assert.DoesNotContain(Password, html);
    }
}
