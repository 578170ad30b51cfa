using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Rest;

/// <summary>Values that are not finite numbers (a statistic that could not be computed) travel through the REST store and /metrics.</summary>
public sealed class RemoteMonitorValuesTests
{
    [Fact]
    public async Task FinishOverRest_WithNaNAndInfinity_StoresThem_AndMetricsStillAnswer()
    {
        await using var server = await RunningServer.StartAsync();
        using var remote = server.Client();
        await remote.Monitors.CreateMonitorAsync(new MonitorSpec("odd-values", "models:/points@champion"));
        var claimed = await remote.Monitors.TryClaimMonitorRunAsync(new NewMonitorRun("odd-values", "k1", 0, 1000, "test"));
        Assert.NotNull(claimed);
        Assert.Null(await remote.Monitors.TryClaimMonitorRunAsync(new NewMonitorRun("odd-values", "k1", 0, 1000, "other")));

        var values = new Dictionary<string, double> { ["rows"] = 5, ["psi(X)"] = double.NaN, ["ratio"] = double.PositiveInfinity };
        var finished = await remote.Monitors.FinishMonitorRunAsync(claimed.RunId, MonitorRunStatuses.Succeeded, null, values, null);
        Assert.Equal(5, finished.Values["rows"]);
        var listed = Assert.Single(await remote.Monitors.ListMonitorRunsAsync("odd-values"));
        Assert.Equal(5, listed.Values["rows"]);
        Assert.True(!listed.Values.TryGetValue("psi(X)", out var psi) || double.IsNaN(psi), $"psi(X) = {psi}");

        using var metrics = await server.Http.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.True(metrics.IsSuccessStatusCode, text);
        Assert.Contains("cairn_monitor_value{monitor=\"odd-values\",value=\"rows\"} 5", text);
    }
}
