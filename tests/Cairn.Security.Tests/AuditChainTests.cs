using Cairn.Security;

namespace Cairn.Security.Tests;

public sealed class AuditChainTests
{
    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditEntry.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var entry = AuditEntry.Chain(i, 1_000 * i, new AuditEvent(i % 2 == 0 ? "alice" : null, "10.0.0.7", "POST", $"/api/2.0/mlflow/runs/{i}", $"run_id=r{i}", 200), previous);
            entries.Add(entry);
            previous = entry.Hash;
        }
        return entries;
    }

    [Fact]
    public void AnUntouchedChain_IsIntact_AndItsHeadIsTheLastHash()
    {
        var chain = Chain(5);

        var result = AuditChain.Verify(chain);

        Assert.True(result.Intact);
        Assert.Equal((5L, chain[^1].Hash), (result.Count, result.Head));
        Assert.Equal((0L, AuditEntry.GenesisHash), (AuditChain.Verify([]).Count, AuditChain.Verify([]).Head));
    }

    [Fact]
    public void TheHash_CoversEveryField_AndTellsNullFromEmpty()
    {
        var entry = Chain(1)[0];
        AuditEntry[] changed =
        [
            entry with { Sequence = 2 }, entry with { Time = 1 }, entry with { Username = "alice" }, entry with { RemoteAddress = "" },
            entry with { Method = "PUT" }, entry with { Path = "/x" }, entry with { Resources = "" }, entry with { StatusCode = 500 },
            entry with { PreviousHash = new string('1', 64) },
        ];

        Assert.All(changed, c => Assert.NotEqual(entry.Hash, c.Compute()));
        Assert.Equal(changed.Length, changed.Select(c => c.Compute()).Distinct().Count());
        Assert.Equal(64, entry.Hash.Length);
        Assert.Equal(entry.Hash, entry.Compute());
    }

    [Fact]
    public void AnEditedField_IsNamedByItsSequenceNumber()
    {
        var chain = Chain(5);
        chain[2] = chain[2] with { Username = "mallory" };

        var broken = AuditChain.Verify(chain).Break!;

        Assert.Equal((3L, AuditBreakKind.Edited), (broken.Sequence, broken.Kind));
        Assert.Contains("entry 3 was edited", broken.Message);
    }

    [Fact]
    public void AnEditedPreviousHash_IsAnEdit()
    {
        var chain = Chain(3);
        chain[1] = chain[1] with { PreviousHash = AuditEntry.GenesisHash };

        Assert.Equal((2L, AuditBreakKind.Edited), (AuditChain.Verify(chain).Break!.Sequence, AuditChain.Verify(chain).Break!.Kind));
    }

    [Fact]
    public void ARemovedMiddleEntry_IsNamedAsMissing()
    {
        var chain = Chain(5);
        chain.RemoveAt(2);

        var result = AuditChain.Verify(chain);

        Assert.Equal((3L, AuditBreakKind.Missing), (result.Break!.Sequence, result.Break.Kind));
        Assert.Contains("entry 3 is missing", result.Break.Message);
        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void RemovedFirstEntries_AreMissingFromOne()
    {
        var result = AuditChain.Verify(Chain(4).Skip(2));

        Assert.Equal((1L, AuditBreakKind.Missing), (result.Break!.Sequence, result.Break.Kind));
        Assert.Contains("entries 1 to 2 are missing", result.Break.Message);
    }

    [Fact]
    public void ReorderedEntries_AreFound_WhetherRowsOrTheirNumbersMoved()
    {
        var chain = Chain(4);
        List<AuditEntry> rowsMoved = [chain[0], chain[2], chain[1], chain[3]];
        List<AuditEntry> numbersSwapped = [chain[0], chain[2] with { Sequence = 2 }, chain[1] with { Sequence = 3 }, chain[3]];

        Assert.Equal((2L, AuditBreakKind.Missing), (AuditChain.Verify(rowsMoved).Break!.Sequence, AuditChain.Verify(rowsMoved).Break!.Kind));
        Assert.Equal((2L, AuditBreakKind.Edited), (AuditChain.Verify(numbersSwapped).Break!.Sequence, AuditChain.Verify(numbersSwapped).Break!.Kind));
        Assert.Equal((2L, AuditBreakKind.OutOfOrder), (AuditChain.Verify([chain[0], chain[1], chain[1]]).Break!.Sequence, AuditChain.Verify([chain[0], chain[1], chain[1]]).Break!.Kind));
    }

    [Fact]
    public void AnEntryRewrittenWithARecomputedHash_BreaksTheLinkOfTheNextOne()
    {
        var chain = Chain(4);
        chain[1] = AuditEntry.Chain(2, chain[1].Time, new AuditEvent("mallory", "10.0.0.7", "POST", chain[1].Path, chain[1].Resources, 200), chain[0].Hash);

        var broken = AuditChain.Verify(chain).Break!;

        Assert.Equal((3L, AuditBreakKind.Unlinked), (broken.Sequence, broken.Kind));
    }

    [Fact]
    public void ACutOffTail_IsFoundOnlyAgainstAHeadRecordedBefore()
    {
        var chain = Chain(5);
        var earlierHead = chain[3].Hash;

        var grown = AuditChain.Verify(chain, earlierHead);
        var cut = AuditChain.Verify(chain.Take(3), earlierHead);

        Assert.True(grown.Intact);
        Assert.True(AuditChain.Verify(chain.Take(3)).Intact);
        Assert.Equal((3L, AuditBreakKind.HeadNotFound), (cut.Break!.Sequence, cut.Break.Kind));
        Assert.Contains(earlierHead, cut.Break.Message);
    }

    [Fact]
    public async Task VerifyAsync_FindsTheSameBreaks()
    {
        var chain = Chain(4);
        chain[3] = chain[3] with { StatusCode = 201 };

        var result = await AuditChain.VerifyAsync(chain.ToAsyncEnumerable());

        Assert.Equal((4L, AuditBreakKind.Edited, 3L), (result.Break!.Sequence, result.Break.Kind, result.Count));
    }
}

public sealed class AuditTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-12-01", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T08:30:00Z", "2026-12-01T08:30:00Z")]
    [InlineData("2026-12-01T08:30:00+02:00", "2026-12-01T06:30:00Z")]
    [InlineData("7d", "2026-11-26T12:00:00Z")]
    [InlineData("12h", "2026-12-03T00:00:00Z")]
    [InlineData("30m", "2026-12-03T11:30:00Z")]
    [InlineData("1764547200000", "2025-12-01T00:00:00Z")]
    public void Parse_ReadsDatesTimesAndAges(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected).ToUnixTimeMilliseconds(), AuditTime.Parse(text, Now));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("7")]
    [InlineData("7w")]
    [InlineData("-3d")]
    [InlineData("")]
    [InlineData("2026-13-01")]
    public void Parse_RefusesAnythingElse_Clearly(string text)
    {
        var e = Assert.Throws<CairnException>(() => AuditTime.Parse(text, Now));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains("is not a time", e.Message);
    }
}
