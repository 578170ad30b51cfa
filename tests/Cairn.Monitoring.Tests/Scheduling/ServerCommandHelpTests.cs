using Cairn.Monitoring.Tests.EndToEnd;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>
/// <c>cairn server</c> wires the monitor scheduler tested in <see cref="MonitorSchedulerTests"/>
/// (ServerCommand.MonitorScheduling, private); its help must tell users that it runs scheduled
/// monitors and how to turn that off.
/// </summary>
public sealed class ServerCommandHelpTests
{
    [Fact]
    public async Task ServerHelp_SaysItRunsScheduledMonitors_AndHowToTurnThemOff()
    {
        var (exit, output, error) = await MonitoredPoints.Cli("server", "--help");
        Assert.True(exit == 0, $"exit {exit}: {error}{output}");
        Assert.Contains("scheduled monitors", output);
        Assert.Contains("--no-scheduler", output);
        Assert.Contains("--schedule-interval", output);
    }
}
