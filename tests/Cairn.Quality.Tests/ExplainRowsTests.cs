using Cairn.Models;
using Cairn.Quality.Explanations;
using Cairn.Testing;

namespace Cairn.Quality.Tests;

/// <summary>Rows for explanations read from JSON and CSV files, typed by the model's signature.</summary>
public class ExplainRowsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly ModelSignature Signature = new([new ColumnSpec("Hour", "float"), new ColumnSpec("Origin", "string")], [new ColumnSpec("Score", "float")]);

    [Fact]
    public async Task Json_split_orient_and_records_read_typed_rows_up_to_the_limit()
    {
        File.WriteAllText(_folder.File("split.json"), """{"columns": ["origin", "hour", "extra"], "data": [["ORD", 6, 1], ["JFK", null, 2], ["SFO", 9, 3]]}""");
        File.WriteAllText(_folder.File("records.json"), """[{"Hour": 7.5, "Origin": "BOS"}]""");

        var split = await ExplainRows.ReadAsync(_folder.File("split.json"), Signature, null, null, maxRows: 2);
        var records = await ExplainRows.ReadAsync(_folder.File("records.json"), Signature, null, null, maxRows: 10);

        Assert.True(split.Truncated);
        Assert.Equal(2, split.Rows.Count);
        Assert.Equal(6.0, Convert.ToDouble(split.Rows[0]["Hour"]));
        Assert.True(double.IsNaN(Convert.ToDouble(split.Rows[1]["Hour"])));
        Assert.Equal("JFK", split.Rows[1]["Origin"]);
        Assert.False(records.Truncated);
        Assert.Equal(7.5, Convert.ToDouble(records.Rows[0]["Hour"]));
    }

    [Fact]
    public async Task Missing_inputs_wrong_types_and_limits_are_refused()
    {
        File.WriteAllText(_folder.File("lacking.json"), """[{"Hour": 7}]""");
        File.WriteAllText(_folder.File("text.csv"), "Hour,Origin\nsix,ORD\n");

        var lacking = await Assert.ThrowsAsync<CairnException>(() => ExplainRows.ReadAsync(_folder.File("lacking.json"), Signature, null, null, 10));
        var text = await Assert.ThrowsAsync<CairnException>(() => ExplainRows.ReadAsync(_folder.File("text.csv"), Signature, null, null, 10));
        var limit = await Assert.ThrowsAsync<CairnException>(() => ExplainRows.ReadAsync(_folder.File("text.csv"), Signature, null, null, 0));

        Assert.Contains("no value for the model input 'Origin'", lacking.Message);
        Assert.Contains("'six', not a number", text.Message);
        Assert.Contains("between 1 and 10000", limit.Message);
    }
}
