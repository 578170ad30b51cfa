using Cairn.Monitoring;
using Cairn.Server.Ui.Explanations;
using Cairn.Testing;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Tests;

/// <summary>Reading explained rows from the inference log: the newest few, inputs of every logged type as text.</summary>
public sealed class ExplainedRowReaderTests
{
    private const long Hour = 1_764_000_000_000L / InferenceLogLayout.HourMs * InferenceLogLayout.HourMs;

    [Fact]
    public async Task NewestFirst_AtMostMax_NumbersAndBooleansAsText_AMissingShapValueIsNaN()
    {
        using var log = new TempFolder();
        var folder = InferenceLogLayout.HourFolder(log.Path, "m", Hour);
        Directory.CreateDirectory(folder);
        const int rows = 10;
        DataField<string> requestId = new("request_id"), version = new("version");
        DataField<long> row = new("row"), timestamp = new("timestamp");
        DataField<double?> distance = new("input_Distance"), shapDistance = new("output_shap_Distance"), shapWeekend = new("output_shap_Weekend"), baseValue = new("output_shap_base_value");
        DataField<bool?> weekend = new("input_Weekend");
        var schema = new ParquetSchema(requestId, row, timestamp, version, distance, weekend, shapDistance, shapWeekend, baseValue);
        await using (var stream = File.Create(Path.Combine(folder, "part-0.parquet")))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(requestId, (IReadOnlyCollection<string>)Enumerable.Range(0, rows).Select(i => $"r{i}").ToArray());
            await group.WriteAsync<long>(row, new long[rows]);
            await group.WriteAsync<long>(timestamp, Enumerable.Range(0, rows).Select(i => Hour + i * 1000L).ToArray());
            await group.WriteAsync(version, (IReadOnlyCollection<string>)Enumerable.Repeat("1", rows).ToArray());
            await group.WriteAsync<double>(distance, Enumerable.Range(0, rows).Select(i => (double?)(i * 100.5)).ToArray());
            await group.WriteAsync<bool>(weekend, Enumerable.Range(0, rows).Select(i => (bool?)(i % 2 == 0)).ToArray());
            await group.WriteAsync<double>(shapDistance, Enumerable.Range(0, rows).Select(i => (double?)i).ToArray());
            await group.WriteAsync<double>(shapWeekend, Enumerable.Range(0, rows).Select(i => i == 9 ? null : (double?)1).ToArray());
            await group.WriteAsync<double>(baseValue, Enumerable.Range(0, rows).Select(_ => (double?)0.5).ToArray());
        }

        var found = await ExplainedRowReader.ReadAsync(log.Path, "m", "1", Hour, Hour + InferenceLogLayout.HourMs, 3, CancellationToken.None);
        Assert.Empty(found.Unreadable);
        Assert.Equal(["r9", "r8", "r7"], found.Rows.Select(r => r.RequestId));
        var newest = found.Rows[0];
        Assert.Equal(Hour + 9000, newest.Timestamp);
        Assert.Equal([("Distance", "904.5"), ("Weekend", "false")], newest.Attributions.Select(a => (a.Feature, a.Value)));
        Assert.True(double.IsNaN(newest.Attributions[1].Shap));
        Assert.Equal(0.5 + 9, newest.Output, 12);
        Assert.Equal(0.5 + 8 + 1, found.Rows[1].Output, 12);
        Assert.Equal("true", found.Rows[1].Attributions[1].Value);

        // Another version's rows, or a window before them, find nothing.
        Assert.Empty((await ExplainedRowReader.ReadAsync(log.Path, "m", "2", Hour, Hour + InferenceLogLayout.HourMs, 3, CancellationToken.None)).Rows);
        Assert.Empty((await ExplainedRowReader.ReadAsync(log.Path, "m", "1", Hour - 5000, Hour, 3, CancellationToken.None)).Rows);
    }
}
