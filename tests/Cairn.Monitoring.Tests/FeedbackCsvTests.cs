using Cairn.Monitoring;

namespace Cairn.Monitoring.Tests;

public sealed class FeedbackCsvTests
{
    private static List<IReadOnlyList<FeedbackLabel>> Read(string csv, int batchSize = 10_000) =>
        FeedbackCsv.ReadBatches(new StringReader(csv), "labels.csv", now: 42, batchSize).ToList();

    [Fact]
    public void ReadBatches_AnyColumnOrder_DefaultsRowAndTimestamp()
    {
        var labels = Read("label,row,request_id,timestamp\n1,2,r1,7\n0.5,,r2,\n").Single();
        Assert.Equal([new FeedbackLabel("r1", 2, 1, 7), new FeedbackLabel("r2", 0, 0.5, 42)], labels);
    }

    [Fact]
    public void ReadBatches_SplitsIntoBatchesAndStopsAtTheBadLine()
    {
        using var batches = FeedbackCsv.ReadBatches(new StringReader("request_id,label\na,1\nb,1\nc,1\nd,-\n"), "labels.csv", 42, batchSize: 2).GetEnumerator();
        Assert.True(batches.MoveNext());
        Assert.Equal(["a", "b"], batches.Current.Select(l => l.RequestId));
        var e = Assert.Throws<CairnException>(() => batches.MoveNext());
        Assert.Contains("labels.csv line 5", e.Message);
    }

    [Theory]
    [InlineData("request_id,label,extra\n", "unknown column 'extra'")]
    [InlineData("request_id,row\n", "needs request_id and label")]
    [InlineData("request_id,label\nr1\n", "line 2: 1 fields")]
    [InlineData("request_id,label,row\nr1,1,-1\n", "line 2: the row '-1'")]
    [InlineData("request_id,label\nr1,NaN\n", "not a finite number")]
    [InlineData("request_id,label\n\"r1,1\n", "not closed")]
    [InlineData("", "is empty")]
    public void ReadBatches_BadInput_NamesWhatIsWrong(string csv, string message)
    {
        var e = Assert.Throws<CairnException>(() => Read(csv));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains(message, e.Message);
    }
}
