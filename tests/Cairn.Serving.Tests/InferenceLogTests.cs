using System.Text.Json;
using Cairn.Serving;
using Cairn.Testing;
using Parquet.Serialization;

namespace Cairn.Serving.Tests;

public sealed class InferenceLogTests
{
    private sealed class Logged
    {
        public string request_id { get; set; } = "";
        public long row { get; set; }
        public long timestamp { get; set; }
        public string protocol { get; set; } = "";
        public double? input_distance { get; set; }
        public string? input_origin { get; set; }
        public string? input_mixed { get; set; }
        public bool? output_late { get; set; }
        public double? output_probability { get; set; }
    }

    private static IReadOnlyDictionary<string, object?> Input(object? distance, object? origin, object? mixed) =>
        new Dictionary<string, object?> { ["distance"] = distance, ["origin"] = origin, ["mixed"] = mixed };

    private static IReadOnlyDictionary<string, object?> Output(bool late, float probability) =>
        new Dictionary<string, object?> { ["late"] = late, ["probability"] = probability };

    private static async Task<List<(string File, Logged Row)>> ReadAll(string folder)
    {
        var rows = new List<(string, Logged)>();
        foreach (var file in Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories))
        {
            await using var stream = File.OpenRead(file);
            rows.AddRange((await ParquetSerializer.DeserializeAsync<Logged>(stream)).Data.Select(r => (file, r)));
        }
        return rows;
    }

    [Fact]
    public async Task Append_ValuesOfEveryKind_AreWrittenAsTypedColumns_AndMixedColumnsAsText()
    {
        using var folder = new TempFolder();
        var json = JsonDocument.Parse("""{"d": 733, "o": "ORD", "arr": [1, 2]}""").RootElement;
        await using (var log = new InferenceLog(folder.File("log")))
        {
            var at = new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
            log.Append(new InferenceEntry("req-a", at, "delay", "3", "oip-v2",
                [Input(json.GetProperty("d"), json.GetProperty("o"), 1.5), Input(null, "SEA", json.GetProperty("arr"))],
                [Output(true, 0.75f), Output(false, 0.25f)], 1.2));
            log.Append(new InferenceEntry("req-b", at + 5, "delay", "3", "oip-v2",
                [Input(100L, "JFK", true)], [Output(false, 0.5f)], 0.8));
        }

        var rows = (await ReadAll(folder.File("log"))).Select(r => r.Row).OrderBy(r => r.request_id).ThenBy(r => r.row).ToList();

        Assert.Equal(["req-a", "req-a", "req-b"], rows.Select(r => r.request_id));
        Assert.Equal([0L, 1L, 0L], rows.Select(r => r.row));
        Assert.Equal([733.0, null, 100.0], rows.Select(r => r.input_distance));
        Assert.Equal(["ORD", "SEA", "JFK"], rows.Select(r => r.input_origin));
        Assert.Equal(["1.5", "[1, 2]", "true"], rows.Select(r => r.input_mixed));
        Assert.Equal([true, false, false], rows.Select(r => r.output_late));
        Assert.Equal([0.75, 0.25, 0.5], rows.Select(r => r.output_probability));
    }

    [Fact]
    public async Task Append_AcrossAnHourBoundary_WritesOnePartitionPerHour()
    {
        using var folder = new TempFolder();
        var eleven = new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        await using (var log = new InferenceLog(folder.File("log")))
        {
            log.Append(new InferenceEntry("before", eleven - 1, "delay", "3", "mlflow", [Input(1, "A", "x")], [Output(true, 0.9f)], 1));
            log.Append(new InferenceEntry("after", eleven, "delay", "3", "mlflow", [Input(2, "B", "y")], [Output(false, 0.1f)], 1));
        }

        var rows = await ReadAll(folder.File("log"));

        Assert.Matches(@"date=2026-11-25[/\\]hour=10[/\\]", rows.Single(r => r.Row.request_id == "before").File);
        Assert.Matches(@"date=2026-11-25[/\\]hour=11[/\\]", rows.Single(r => r.Row.request_id == "after").File);
    }

    [Fact]
    public async Task Append_LargeRequestCopiedInTheBackground_IsWrittenBeforeDisposeReturns()
    {
        using var folder = new TempFolder();
        var rows = Enumerable.Range(0, 2 * InferenceLog.DeferredRows).Select(i => Input((double)i, "ORD", "x")).ToList();
        var outputs = rows.Select(_ => Output(true, 0.5f)).ToList();
        var log = new InferenceLog(folder.File("log"));
        log.Append(new InferenceEntry("big", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "delay", "3", "oip-v2", rows, outputs, 9));
        await log.DisposeAsync();

        var logged = await ReadAll(folder.File("log"));
        Assert.Equal(rows.Count, logged.Count);
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => (double?)i), logged.Select(r => r.Row.input_distance).Order());
        Assert.Equal(0, log.Dropped);
    }

    [Fact]
    public async Task Append_AfterDispose_IsDroppedAndCounted()
    {
        using var folder = new TempFolder();
        var log = new InferenceLog(folder.File("log"));
        await log.DisposeAsync();
        log.Append(new InferenceEntry("late", 1, "delay", "3", "mlflow", [Input(1, "A", 1), Input(2, "B", 2)], [Output(true, 0.9f), Output(true, 0.9f)], 1));
        Assert.Equal(2, log.Dropped);
    }
}
