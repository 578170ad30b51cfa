using Cairn.Features;

namespace Cairn.Storage.Tests;

/// <summary>
/// What every online feature store must do; run on SQLite (a real file) and on a real Redis.
/// Decisions pinned here: instants come back in UTC to the microsecond; doubles keep every bit
/// (NaN, infinities, -0.0); on an equal event time the later write wins.
/// </summary>
public abstract class OnlineFeatureStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly FeatureField[] Features =
    [
        new("count", FeatureType.Int64), new("delay", FeatureType.Double), new("name", FeatureType.String),
        new("hub", FeatureType.Bool), new("seen", FeatureType.Timestamp),
    ];

    private static readonly string[] Names = Features.Select(f => f.Name).ToArray();

    protected IOnlineFeatureStore Store { get; private set; } = null!;

    protected abstract Task<IOnlineFeatureStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CloseStoreAsync();
    }

    private static string View() => "view_" + Guid.NewGuid().ToString("N")[..8];

    private static OnlineFeatureRow Row(object key, DateTimeOffset time, double delay, string? name = "x") =>
        new([key], time, new Dictionary<string, object?> { ["count"] = 1L, ["delay"] = delay, ["name"] = name });

    private async Task<OnlineFeatureValues?> ReadOne(string view, params object[] key) => (await Store.ReadAsync(view, [key], Names))[0];

    [ContractFact]
    public async Task Write_EveryTypeAndEdgeValue_ReadsBackTheSame()
    {
        var view = View();
        var seenOffset = new DateTimeOffset(2026, 3, 1, 17, 30, 0, TimeSpan.FromHours(5.5)).AddTicks(1234567); // sub-microsecond ticks are dropped
        (object Key, Dictionary<string, object?> Values)[] cases =
        [
            ("max", new() { ["count"] = long.MaxValue, ["delay"] = double.PositiveInfinity, ["name"] = "Zürich ✈ 東京 🛫", ["hub"] = true, ["seen"] = seenOffset }),
            ("min", new() { ["count"] = long.MinValue, ["delay"] = double.NegativeInfinity, ["name"] = "", ["hub"] = false, ["seen"] = DateTimeOffset.MinValue }),
            ("nan", new() { ["count"] = 0L, ["delay"] = double.NaN, ["name"] = "a\0b\n:{}%", ["hub"] = null, ["seen"] = DateTimeOffset.MaxValue }),
            ("negzero", new() { ["count"] = -1L, ["delay"] = -0.0, ["name"] = null, ["seen"] = null }),
            ("tiny", new() { ["count"] = 42, ["delay"] = double.Epsilon, ["name"] = new string('é', 5000), ["hub"] = true }),
        ];
        var written = await Store.WriteAsync(view, Features, cases.Select(c => new OnlineFeatureRow([c.Key], T0, c.Values)).ToList());
        Assert.Equal(cases.Length, written);

        var got = await Store.ReadAsync(view, cases.Select(c => (IReadOnlyList<object>)[c.Key]).ToList(), Names);
        var max = got[0]!.Values;
        Assert.Equal(long.MaxValue, max["count"]);
        Assert.Equal(double.PositiveInfinity, max["delay"]);
        Assert.Equal("Zürich ✈ 東京 🛫", max["name"]);
        Assert.Equal(true, max["hub"]);
        var seen = Assert.IsType<DateTimeOffset>(max["seen"]);
        Assert.Equal(TimeSpan.Zero, seen.Offset);
        Assert.Equal(seenOffset.UtcDateTime.AddTicks(-(seenOffset.UtcTicks % 10)), seen.UtcDateTime);
        var min = got[1]!.Values;
        Assert.Equal((long.MinValue, double.NegativeInfinity, "", false, DateTimeOffset.MinValue), (min["count"], min["delay"], min["name"], min["hub"], min["seen"]));
        var nan = got[2]!.Values;
        Assert.True(double.IsNaN((double)nan["delay"]!));
        Assert.Equal("a\0b\n:{}%", nan["name"]);
        Assert.Null(nan["hub"]);
        Assert.Equal(DateTimeOffset.MaxValue.UtcTicks / 10 * 10, ((DateTimeOffset)nan["seen"]!).UtcTicks);
        var negativeZero = got[3]!.Values;
        Assert.True(double.IsNegative((double)negativeZero["delay"]!));
        Assert.Equal((-1L, null, null, null), (negativeZero["count"], negativeZero["name"], negativeZero["seen"], negativeZero["hub"]));
        Assert.Equal((42L, double.Epsilon, 5000), (got[4]!.Values["count"], got[4]!.Values["delay"], ((string)got[4]!.Values["name"]!).Length));
        Assert.All(got, g => Assert.Equal(T0, g!.EventTime));
    }

    [ContractFact]
    public async Task Write_EventTimeWithOffset_ComesBackAsTheSameInstantInUtc()
    {
        var view = View();
        var local = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.FromHours(-5)).AddTicks(17);
        await Store.WriteAsync(view, Features, [Row("JFK", local, 1)]);

        var got = await ReadOne(view, "JFK");

        Assert.Equal(TimeSpan.Zero, got!.EventTime.Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.Zero).AddTicks(10), got.EventTime);
    }

    [ContractFact]
    public async Task Read_MissingKeyOrView_IsNullAndAbsentFeaturesAreNull()
    {
        var view = View();
        await Store.WriteAsync(view, Features, [new(["SEA"], T0, new Dictionary<string, object?> { ["delay"] = 3.5 })]);

        var got = await Store.ReadAsync(view, [["SEA"], ["nowhere"], ["SEA", "extra"]], ["delay", "count", "not_a_feature"]);

        Assert.Equal(3.5, got[0]!.Values["delay"]);
        Assert.Null(got[0]!.Values["count"]);
        Assert.Null(got[0]!.Values["not_a_feature"]);
        Assert.Equal(3, got[0]!.Values.Count);
        Assert.Null(got[1]);
        Assert.Null(got[2]);
        Assert.Null((await Store.ReadAsync(View(), [["SEA"]], ["delay"]))[0]);
        Assert.All(await Store.ReadAsync(view, [["SEA"], ["SEA"]], ["delay"]), g => Assert.Equal(3.5, g!.Values["delay"])); // a key asked twice
    }

    [ContractFact]
    public async Task Write_LateEvent_NeverOverwritesFresher()
    {
        var view = View();
        Assert.Equal(1, await Store.WriteAsync(view, Features, [Row("SEA", T0.AddHours(2), 20)]));

        var written = await Store.WriteAsync(view, Features, [Row("SEA", T0.AddHours(1), 10), Row("SFO", T0, 5)]);

        Assert.Equal(1, written);
        var got = await ReadOne(view, "SEA");
        Assert.Equal((T0.AddHours(2), 20.0), (got!.EventTime, got.Values["delay"]));
        Assert.Equal(5.0, (await ReadOne(view, "SFO"))!.Values["delay"]);
    }

    [ContractFact]
    public async Task Write_NewerEvent_ReplacesTheWholeRow()
    {
        var view = View();
        await Store.WriteAsync(view, Features, [Row("SEA", T0, 10, name: "old")]);

        await Store.WriteAsync(view, Features, [Row("SEA", T0.AddMinutes(1), 11, name: null)]);

        var got = await ReadOne(view, "SEA");
        Assert.Equal((T0.AddMinutes(1), 11.0, null), (got!.EventTime, got.Values["delay"], got.Values["name"]));
    }

    [ContractFact]
    public async Task Write_EqualEventTime_LaterWriteWins()
    {
        var view = View();
        await Store.WriteAsync(view, Features, [Row("SEA", T0, 1)]);
        Assert.Equal(1, await Store.WriteAsync(view, Features, [Row("SEA", T0, 2)]));
        Assert.Equal(2.0, (await ReadOne(view, "SEA"))!.Values["delay"]);

        // Within one batch too: rows apply in order, so the last of equal times stays.
        await Store.WriteAsync(view, Features, [Row("LAX", T0, 7), Row("LAX", T0, 8), Row("LAX", T0.AddTicks(-10), 9)]);
        Assert.Equal(8.0, (await ReadOne(view, "LAX"))!.Values["delay"]);
    }

    [ContractFact]
    public async Task Write_SeveralJoinKeys_AndSeparatorsInKeys_NeverCollide()
    {
        var view = View();
        object[][] keys = [["SEA", 1L], ["SEA", "1"], ["SEA:1"], ["SEA:i1"], ["SEA", 1L, "x"], ["a:b", "c"], ["a", "b:c"], ["a%3Ab", "c"], ["{SEA}", 1L], [7L]];
        var rows = keys.Select((k, i) => new OnlineFeatureRow(k, T0, new Dictionary<string, object?> { ["count"] = (long)i })).ToList();

        Assert.Equal(keys.Length, await Store.WriteAsync(view, Features, rows));

        var got = await Store.ReadAsync(view, keys.Select(k => (IReadOnlyList<object>)k).ToList(), ["count"]);
        Assert.Equal(Enumerable.Range(0, keys.Length).Select(i => (object)(long)i), got.Select(g => g!.Values["count"]));
        Assert.Equal(0L, (await Store.ReadAsync(view, [["SEA", 1]], ["count"]))[0]!.Values["count"]); // an int key is the same key as a long
    }

    [ContractFact]
    public async Task Read_ManyKeys_AnswersInTheOrderAsked()
    {
        var view = View();
        var rows = Enumerable.Range(0, 500).Select(i => new OnlineFeatureRow([$"k{i}"], T0.AddSeconds(i), new Dictionary<string, object?> { ["count"] = (long)i })).ToList();
        Assert.Equal(500, await Store.WriteAsync(view, Features, rows));

        var asked = Enumerable.Range(0, 600).Select(i => (i * 7919) % 600).ToList(); // a permutation; keys 500-599 do not exist
        var got = await Store.ReadAsync(view, asked.Select(i => (IReadOnlyList<object>)[$"k{i}"]).ToList(), ["count"]);

        Assert.Equal(asked.Count, got.Count);
        for (var n = 0; n < asked.Count; n++)
        {
            if (asked[n] >= 500) { Assert.Null(got[n]); continue; }
            Assert.Equal((long)asked[n], got[n]!.Values["count"]);
            Assert.Equal(T0.AddSeconds(asked[n]), got[n]!.EventTime);
        }
    }

    [ContractFact]
    public async Task DropView_RemovesThatViewOnly()
    {
        var (one, two) = (View(), View());
        await Store.WriteAsync(one, Features, [Row("SEA", T0, 1), Row("SFO", T0, 2)]);
        await Store.WriteAsync(two, Features, [Row("SEA", T0, 3)]);

        await Store.DropViewAsync(one);

        Assert.All(await Store.ReadAsync(one, [["SEA"], ["SFO"]], Names), Assert.Null);
        Assert.Equal(3.0, (await ReadOne(two, "SEA"))!.Values["delay"]);
        Assert.Equal(1, await Store.WriteAsync(one, Features, [Row("SEA", T0.AddDays(-1), 4)])); // an older time is accepted once dropped
    }

    [ContractFact]
    public async Task Write_TwoViewsSameKey_AreIsolated_EvenWhenTheirNamesLookLikeKeys()
    {
        var (plain, colon) = ("iso_" + Guid.NewGuid().ToString("N")[..6], "");
        colon = plain + ":sSEA";
        await Store.WriteAsync(plain, Features, [Row("SEA", T0, 1)]);
        await Store.WriteAsync(colon, Features, [Row("SEA", T0.AddHours(-1), 2)]);

        Assert.Equal(1.0, (await ReadOne(plain, "SEA"))!.Values["delay"]);
        Assert.Equal(2.0, (await ReadOne(colon, "SEA"))!.Values["delay"]);
        await Store.DropViewAsync(plain);
        Assert.Equal(2.0, (await ReadOne(colon, "SEA"))!.Values["delay"]);
    }

    [ContractFact]
    public async Task Write_ConcurrentWriters_KeepTheNewestOfEveryKey()
    {
        var view = View();
        const int writers = 8, keys = 50;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                var rows = Enumerable.Range(0, keys).Select(k => Row($"k{k}", T0.AddSeconds(w * 100 + round), w * 100 + round)).ToList();
                await Store.WriteAsync(view, Features, rows);
            }
        })));

        var got = await Store.ReadAsync(view, Enumerable.Range(0, keys).Select(k => (IReadOnlyList<object>)[$"k{k}"]).ToList(), ["delay"]);
        var newest = (writers - 1) * 100 + 4;
        Assert.All(got, g => Assert.Equal((T0.AddSeconds(newest), (double)newest), (g!.EventTime, g.Values["delay"])));
    }

    [ContractFact]
    public async Task Write_LongAndNonAsciiFeatureNames_ReadBack()
    {
        var view = View();
        FeatureField[] features = [new(new string('ß', 300), FeatureType.Int64), new("délai:moyen", FeatureType.Double)];
        await Store.WriteAsync(view, features, [new(["SEA"], T0, new Dictionary<string, object?> { [features[0].Name] = 5L, [features[1].Name] = 1.5 })]);

        var got = (await Store.ReadAsync(view, [["SEA"]], [features[1].Name, features[0].Name]))[0]!;

        Assert.Equal((5L, 1.5), (got.Values[features[0].Name], got.Values[features[1].Name]));
    }

    [ContractFact]
    public async Task Write_BadRowInBatch_WritesNothing()
    {
        var view = View();
        List<OnlineFeatureRow> rows = [Row("SEA", T0, 1), new(["SFO"], T0, new Dictionary<string, object?> { ["delay"] = "late" })];

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.WriteAsync(view, Features, rows));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("'delay' is double", error.Message);
        Assert.Null(await ReadOne(view, "SEA"));
        await Assert.ThrowsAsync<CairnException>(() => Store.WriteAsync(view, Features, [new([2.5], T0, new Dictionary<string, object?>())]));
        await Assert.ThrowsAsync<CairnException>(() => Store.ReadAsync("", [["SEA"]], Names));
    }
    [ContractFact]
    public async Task ViewState_RoundTrips_PerView_AndIsNullWhenNeverRecorded()
    {
        var (one, two) = (View(), View());
        var until = new DateTimeOffset(2026, 3, 1, 18, 0, 0, TimeSpan.FromHours(2)).AddTicks(15); // sub-microsecond ticks dropped, back in UTC

        await Store.RecordViewStateAsync(one, new OnlineViewState(until, T0));
        await Store.RecordViewStateAsync(two, new OnlineViewState(null, T0.AddHours(-5)));

        var got = await Store.GetViewStateAsync(one);
        Assert.Equal((until.UtcDateTime.AddTicks(-5), TimeSpan.Zero), (got!.MaterializedUntil!.Value.UtcDateTime, got.MaterializedUntil.Value.Offset));
        Assert.Equal(T0, got.NewestEventTime);
        Assert.Equal(new OnlineViewState(null, T0.AddHours(-5)), await Store.GetViewStateAsync(two));
        Assert.Null(await Store.GetViewStateAsync(View()));
    }

    [ContractFact]
    public async Task ViewState_InstantsOnlyMoveForward_AndNullLeavesThemAsTheyAre()
    {
        var view = View();
        await Store.RecordViewStateAsync(view, new OnlineViewState(T0.AddDays(1), T0));

        await Store.RecordViewStateAsync(view, new OnlineViewState(T0, T0.AddHours(-1))); // both older: kept as they were
        Assert.Equal(new OnlineViewState(T0.AddDays(1), T0), await Store.GetViewStateAsync(view));

        await Store.RecordViewStateAsync(view, new OnlineViewState(null, T0.AddMinutes(1)));
        Assert.Equal(new OnlineViewState(T0.AddDays(1), T0.AddMinutes(1)), await Store.GetViewStateAsync(view));

        await Store.RecordViewStateAsync(view, new OnlineViewState(T0.AddDays(2), null));
        Assert.Equal(new OnlineViewState(T0.AddDays(2), T0.AddMinutes(1)), await Store.GetViewStateAsync(view));
    }

    [ContractFact]
    public async Task ViewState_IsNotAFeatureRow_AndDropViewClearsIt()
    {
        var (view, other) = (View(), View());
        await Store.WriteAsync(view, Features, [Row("tate", T0, 1)]); // "state" as an encoded string key
        await Store.RecordViewStateAsync(view, new OnlineViewState(T0.AddDays(1), T0));
        await Store.RecordViewStateAsync(other, new OnlineViewState(T0, T0));

        Assert.Equal(1.0, (await ReadOne(view, "tate"))!.Values["delay"]);
        Assert.Null(await ReadOne(view, "!state"));
        await Store.DropViewAsync(view);

        Assert.Null(await Store.GetViewStateAsync(view));
        Assert.Null(await ReadOne(view, "tate"));
        Assert.Equal(new OnlineViewState(T0, T0), await Store.GetViewStateAsync(other));
        await Store.RecordViewStateAsync(view, new OnlineViewState(T0.AddDays(-3), null)); // an older instant is accepted once dropped
        Assert.Equal(new OnlineViewState(T0.AddDays(-3), null), await Store.GetViewStateAsync(view));
    }

    [ContractFact]
    public async Task ViewState_ConcurrentRecords_KeepTheLatestInstants()
    {
        var view = View();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Store.RecordViewStateAsync(view, new OnlineViewState(T0.AddSeconds(i * 7 % 16), T0.AddMinutes(i * 5 % 16))))));

        Assert.Equal(new OnlineViewState(T0.AddSeconds(15), T0.AddMinutes(15)), await Store.GetViewStateAsync(view));
    }
}
