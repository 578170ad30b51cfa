using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Cli.Tests;

/// <summary>The cairn commands end to end, in process, on a real embedded store and against a real server.</summary>
public class CliTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _folder.File("store"), .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<string[]> SeedRunsAsync()
    {
        using var cairn = CairnClient.Open(_folder.File("store"));
        var ids = new List<string>();
        foreach (var (model, auc) in new[] { ("lgbm", 0.91), ("fasttree", 0.84), ("lgbm", 0.78) })
        {
            using var run = cairn.StartRun("delay", runName: $"{model}-{auc}");
            run.LogParam("model", model);
            run.LogMetric("auc", auc);
            ids.Add(run.RunId);
        }
        return ids.ToArray();
    }

    [Fact]
    public async Task ExperimentsCreateAndList_TableAndJson()
    {
        Assert.Equal(0, (await Cairn("experiments", "create", "delay")).Exit);

        var table = await Cairn("experiments", "list");
        var json = JsonNode.Parse((await Cairn("experiments", "list", "--output", "json")).Out)!;

        Assert.Contains("delay", table.Out);
        Assert.Contains("Default", table.Out);
        Assert.Contains(json["experiments"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "delay");
    }

    [Fact]
    public async Task ExperimentsCreate_Duplicate_ExitsNonZeroWithAMessage()
    {
        await Cairn("experiments", "create", "delay");
        var (exit, _, err) = await Cairn("experiments", "create", "delay");
        Assert.NotEqual(0, exit);
        Assert.Contains("already exists", err);
    }

    [Fact]
    public async Task RunsSearch_FilterAndOrder_Json()
    {
        await SeedRunsAsync();

        var (exit, output, _) = await Cairn("runs", "search", "-e", "delay", "--filter", "params.model = 'lgbm'", "--order-by", "metrics.auc ASC", "-o", "json");

        Assert.Equal(0, exit);
        var aucs = JsonNode.Parse(output)!["runs"]!.AsArray().Select(r => r!["data"]!["metrics"]![0]!["value"]!.GetValue<double>()).ToArray();
        Assert.Equal([0.78, 0.91], aucs);
    }

    [Fact]
    public async Task RunsList_ShowsParamsAndMetricsColumns()
    {
        await SeedRunsAsync();
        var (exit, output, _) = await Cairn("runs", "list", "-e", "delay");
        Assert.Equal(0, exit);
        Assert.Contains("auc", output);
        Assert.Contains("0.91", output);
        Assert.Contains("fasttree", output);
        Assert.Contains("3 run(s)", output);
    }

    [Fact]
    public async Task RunsSearch_BadFilter_ExitsNonZeroNamingThePosition()
    {
        await SeedRunsAsync();
        var (exit, output, err) = await Cairn("runs", "search", "--filter", "metrics.auc >");
        Assert.Equal(2, exit);
        Assert.Contains("position 14", err);
        Assert.DoesNotContain("   at ", err + output);
    }

    [Fact]
    public async Task RunsSearch_UnknownExperiment_ExitsNonZero()
    {
        var (exit, _, err) = await Cairn("runs", "list", "-e", "nope");
        Assert.NotEqual(0, exit);
        Assert.Contains("No experiment named 'nope'", err);
    }

    [Fact]
    public async Task RunsShowAndCompare_PrintParamsMetricsAndDifferences()
    {
        var ids = await SeedRunsAsync();

        var show = await Cairn("runs", "show", ids[0]);
        var compare = await Cairn("runs", "compare", ids[0], ids[1], "-o", "json");
        var compareTable = await Cairn("runs", "compare", ids[0], ids[1]);

        Assert.Equal(0, show.Exit);
        Assert.Contains("model", show.Out);
        Assert.Contains("FINISHED", show.Out);
        Assert.Equal(2, JsonNode.Parse(compare.Out)!["runs"]!.AsArray().Count);
        Assert.Contains("params.model", compareTable.Out);
        Assert.Contains("metrics.auc", compareTable.Out);
    }

    [Fact]
    public async Task RunsShow_UnknownRun_ExitsNonZero()
    {
        var (exit, _, err) = await Cairn("runs", "show", Ids.NewId());
        Assert.Equal(3, exit);
        Assert.Contains("not found", err);
    }

    [Fact]
    public async Task ArtifactsListAndDownload_FileAndFolder()
    {
        string runId;
        using (var cairn = CairnClient.Open(_folder.File("store")))
        {
            using var run = cairn.StartRun("delay");
            runId = run.RunId;
            run.LogText("feature,gain\n", "model/importance.csv");
        }

        var list = await Cairn("artifacts", "list", $"runs:/{runId}", "-o", "json");
        var file = await Cairn("artifacts", "download", $"runs:/{runId}/model/importance.csv", "--dest", _folder.File("one.csv"));
        var folder = await Cairn("artifacts", "download", $"runs:/{runId}/model", "--dest", _folder.File("all"));

        Assert.Equal("model", JsonNode.Parse(list.Out)!["files"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(0, file.Exit);
        Assert.Equal("feature,gain\n", await File.ReadAllTextAsync(_folder.File("one.csv")));
        Assert.Equal(0, folder.Exit);
        Assert.True(File.Exists(Path.Combine(_folder.File("all"), "importance.csv")));
    }

    [Fact]
    public async Task ArtifactsDownload_BadUri_ExitsNonZero()
    {
        var (exit, _, err) = await Cairn("artifacts", "download", "runs:/nope/x");
        Assert.NotEqual(0, exit);
        Assert.Contains("not a 32-character hex run id", err);
    }

    [Fact]
    public async Task Commands_AgainstAServer_WorkTheSame()
    {
        await using var server = await RunningServer.StartAsync();
        var stdout = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", server.BaseUri.ToString(), "experiments", "create", "remote"], stdout, new StringWriter());
        Assert.Equal(0, exit);
        Assert.NotNull(await server.Store.GetExperimentByNameAsync("remote"));
    }

    [Fact]
    public async Task Server_BadPort_ExitsNonZero()
    {
        var (exit, _, err) = await Cairn("server", "--port", "70000", "--backend-store-uri", _folder.File("db"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--port", err);
    }

    [Theory]
    [InlineData("https://cairn.example", "no scheme or path")]
    [InlineData("cairn.example:5000", "has a port")]
    public async Task Server_AllowedHostThatCanNeverMatch_ExitsNonZeroSayingWhatToGive(string host, string message)
    {
        var (exit, _, err) = await Cairn("server", "--port", "0", "--backend-store-uri", _folder.File("db"), "--allowed-hosts", "ok.example," + host);
        Assert.NotEqual(0, exit);
        Assert.Contains("--allowed-hosts", err);
        Assert.Contains(message, err);
        Assert.False(File.Exists(_folder.File("db")), "nothing was created before the options were checked");
    }

    [Theory]
    [InlineData("*")]
    [InlineData("app.example")]
    [InlineData("https://app.example/path")]
    public async Task ServerAndServe_CorsOriginThatIsNotOne_ExitNonZero(string origin)
    {
        foreach (var command in new[] { "server", "serve" })
        {
            string[] args = command == "server" ? ["server", "--port", "0", "--backend-store-uri", _folder.File("db")] : ["serve", "models:/none@champion", "--port", "0"];
            var (exit, _, err) = await Cairn([.. args, "--cors-origins", origin]);
            Assert.NotEqual(0, exit);
            Assert.Contains("--cors-origins", err);
            Assert.Contains("as in https://app.example.com", err); // says what to give instead
        }
    }

    [Theory]
    [InlineData("server")]
    [InlineData("serve")]
    public async Task Help_ListsAllowedHostsAndCorsOrigins(string command)
    {
        var (exit, output, _) = await Cairn(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--allowed-hosts", output);
        Assert.Contains("--cors-origins", output);
    }

    [Fact]
    public async Task UnknownCommand_ExitsNonZero()
    {
        var (exit, _, err) = await Cairn("frobnicate");
        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", err);
    }
}
