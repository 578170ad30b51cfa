using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Scheduling;

/// <summary><c>cairn pipeline schedule|trigger|fires</c> on an embedded store: what they print, and how they refuse bad input.</summary>
public sealed class ScheduleCliTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _file;

    public ScheduleCliTests()
    {
        _file = _folder.File("cairn.pipeline.yaml");
        File.WriteAllText(_file, "name: p\nsteps:\n  a:\n    run: echo\n");
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _folder.File("store"), .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ScheduleAddListDisableEnableRemove_RoundTrip()
    {
        var added = await Cairn("pipeline", "schedule", "add", "nightly", _file, "--cron", "0 3 * * *", "--time-zone", "Europe/Paris", "-p", "epochs=3");
        Assert.True(added.Exit == 0, added.Err);
        Assert.Contains("Schedule 'nightly'", added.Out);
        Assert.Contains("next ", added.Out);

        var listed = await Cairn("pipeline", "schedule", "list");
        Assert.Contains("nightly", listed.Out);
        Assert.Contains("Europe/Paris", listed.Out);
        Assert.Contains("epochs=3", listed.Out);

        Assert.Contains("disabled", (await Cairn("pipeline", "schedule", "disable", "nightly")).Out);
        var json = await Cairn("pipeline", "schedule", "list", "--output", "json");
        Assert.Contains("\"enabled\": false", json.Out);
        Assert.Contains("\"time_zone\": \"Europe/Paris\"", json.Out);
        Assert.Contains("enabled", (await Cairn("pipeline", "schedule", "enable", "nightly")).Out);

        Assert.Equal(0, (await Cairn("pipeline", "schedule", "remove", "nightly")).Exit);
        Assert.Contains("No schedules", (await Cairn("pipeline", "schedule", "list")).Out);
    }

    [Theory]
    [InlineData("--cron", "0 3 * *", "--time-zone", "UTC", "cron")]
    [InlineData("--cron", "0 3 * * *", "--time-zone", "Paris", "Unknown time zone")]
    public async Task ScheduleAdd_BadCronOrZone_FailsWithAMessage(string o1, string v1, string o2, string v2, string said)
    {
        var (exit, _, err) = await Cairn("pipeline", "schedule", "add", "nightly", _file, o1, v1, o2, v2);
        Assert.NotEqual(0, exit);
        Assert.Contains(said, err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task ScheduleAdd_MissingFileOrTakenName_FailsWithAMessage()
    {
        var missing = await Cairn("pipeline", "schedule", "add", "nightly", _folder.File("nope.yaml"), "--cron", "0 3 * * *");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("does not exist", missing.Err);

        Assert.Equal(0, (await Cairn("pipeline", "schedule", "add", "nightly", _file, "--cron", "0 3 * * *")).Exit);
        var taken = await Cairn("pipeline", "schedule", "add", "nightly", _file, "--cron", "0 4 * * *");
        Assert.NotEqual(0, taken.Exit);
        Assert.Contains("already exists", taken.Err);

        var gone = await Cairn("pipeline", "schedule", "remove", "other");
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains("no schedule named 'other'", gone.Err);
    }

    [Fact]
    public async Task TriggerAddListRemove_OnDatasetAndOnAlert()
    {
        var onData = await Cairn("pipeline", "trigger", "add", "retrain", _file, "--on-dataset", "flights", "--param-name", "input");
        Assert.True(onData.Exit == 0, onData.Err);
        Assert.Contains("-p input=data:/flights@N", onData.Out);
        var onAlert = await Cairn("pipeline", "trigger", "add", "react", _file, "--on-alert", "DriftHigh");
        Assert.True(onAlert.Exit == 0, onAlert.Err);
        Assert.Contains("/api/2.0/cairn/pipelines/alerts", onAlert.Out);

        var listed = (await Cairn("pipeline", "trigger", "list")).Out;
        Assert.Contains("retrain", listed);
        Assert.Contains("DriftHigh", listed);

        Assert.Equal(0, (await Cairn("pipeline", "trigger", "remove", "retrain")).Exit);
        Assert.DoesNotContain("retrain", (await Cairn("pipeline", "trigger", "list")).Out);
        Assert.Contains("No fires yet", (await Cairn("pipeline", "fires")).Out);
    }

    [Theory]
    [InlineData("--on-dataset", "flights", "--on-alert", "DriftHigh")]
    [InlineData("--param-name", "data", "--on-alert", "DriftHigh")]
    public async Task TriggerAdd_AmbiguousEvent_FailsWithAMessage(string o1, string v1, string o2, string v2)
    {
        var (exit, _, err) = await Cairn("pipeline", "trigger", "add", "t", _file, o1, v1, o2, v2);
        Assert.NotEqual(0, exit);
        Assert.Contains("--", err);
    }

    [Theory]
    [InlineData("--pipelines-root", "NOWHERE", "--pipelines-root")]
    [InlineData("--schedule-interval", "0", "--schedule-interval")]
    public async Task Server_BadSchedulerOption_ExitsNonZeroBeforeCreatingTheStore(string option, string value, string said)
    {
        var store = _folder.File("server-store");
        var (exit, _, err) = await Cairn("server", "--port", "0", "--backend-store-uri", store, option, value == "NOWHERE" ? _folder.File("nowhere") : value);
        Assert.NotEqual(0, exit);
        Assert.Contains(said, err);
        Assert.False(Directory.Exists(store), "nothing was created before the options were checked");
    }
}
