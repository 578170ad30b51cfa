using System.Net;
using Cairn.Data;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The datasets pages, on a server of their own (named versions, a run that consumed one).</summary>
public sealed class DatasetPageTests
{
    private static NewDatasetVersion Version(string digestFill, long rows, params TableColumn[] columns) =>
        new("flights", "blake3:" + new string(digestFill[0], 64), "file", 1_048_576, 1, "data/flights.parquet",
            "0123456789abcdef0123456789abcdef01234567", new TableSummary("parquet", rows, columns), "first cut", "alice");

    [Fact]
    public async Task DatasetPages_ListVersionsWithRowsAndColumns_AndARunLinksToItsDataset()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Datasets.CreateVersionAsync(Version("a", 100, new TableColumn("delay", "int64")));
        await server.Stores.Datasets.CreateVersionAsync(Version("b", 150, new TableColumn("delay", "int64"), new TableColumn("distance", "double")));
        using var client = server.Client();
        string runId;
        using (var run = client.StartRun("delay"))
        {
            run.LogInput("data:/flights@2");
            runId = run.RunId;
        }

        var list = await server.Http.GetStringAsync("/datasets");
        Assert.Contains("href=\"/datasets/flights\"", list);
        Assert.Contains("data:/flights@2", list);
        Assert.Contains("150", list);

        var page = await server.Http.GetStringAsync("/datasets/flights");
        Assert.Contains("data:/flights@1", page);
        Assert.Contains("1.0 MB", page);
        Assert.Contains("0123456789ab", page);
        Assert.Matches(@"distance</td><td>double</td><td>data:/flights@2", page);
        Assert.Matches(@"delay</td><td>int64</td><td>data:/flights@1", page);

        var runPage = await server.Http.GetStringAsync($"/runs/{runId}");
        Assert.Contains("<a href=\"/datasets/flights\">data:/flights@2</a>", runPage);
    }

    [Fact]
    public async Task DatasetPage_UnknownDataset_Is404WithAMessage()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/datasets/nothing-here");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no dataset named", html);
        Assert.DoesNotContain("   at ", html);
    }

    [Fact]
    public async Task DatasetsPage_Empty_SaysHowToNameOne()
    {
        await using var server = await RunningServer.StartAsync();
        var html = await server.Http.GetStringAsync("/datasets");
        Assert.Contains("cairn data tag", html);
    }
}
