using Cairn.Deployments;
using Cairn.Monitoring;
using Cairn.Testing;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server whose <c>Endpoints</c> option is an <see cref="InMemoryEndpointStore"/> and whose
/// inference log is a temp folder, at a fixed time (<see cref="Now"/>):
/// <see cref="Delay"/> runs a canary at step 2 of 4 beside a shadow, and its log holds an hour of
/// requests per variant (with rows just outside the hour that must not count); <see cref="Checkout"/>
/// runs an A/B test; <see cref="Legacy"/>'s canary was rolled back; <see cref="BrokenLog"/>'s log
/// holds a file that is not Parquet; <see cref="HostileName"/> holds markup in every text it has.
/// </summary>
public sealed class EndpointServer : IAsyncLifetime
{
    public const string Delay = "delay-api";
    public const string Checkout = "checkout-ab";
    public const string Legacy = "legacy";
    public const string BrokenLog = "broken-log";
    public const string HostileName = "<script>alert('endpoint')</script>";
    public const string HostileText = "<img src=x onerror=alert('text')> **bold** [click](javascript:alert('md'))";
    public const string RollbackReason = "p99 latency 412 ms above the limit of 250 ms at step 2 (25%)";

    public static readonly DateTimeOffset Now = new(2025, 11, 24, 12, 30, 0, TimeSpan.Zero);
    public static long At(int minutesFromNow) => Now.AddMinutes(minutesFromNow).ToUnixTimeMilliseconds();

    // What the log holds inside the last hour, per variant (see WriteDelayLog).
    public const int StableRequests = 30, StableRows = 60, CanaryRequests = 10, CanaryRows = 10, ShadowRequests = 5, ShadowRows = 15;
    public const double StableP50 = 24, StableP99 = 39, CanaryP50 = 104, CanaryP99 = 109;

    private readonly TempFolder _log = new();

    public InMemoryEndpointStore Store { get; } = new();
    public RunningServer Server { get; private set; } = null!;
    public string InferenceLog => _log.Path;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(o => o with { Endpoints = Store, InferenceLog = _log.Path, Time = new FixedTime(Now) });

        Store.Put(new EndpointRecord(new EndpointSpec(Delay,
            [new EndpointVariant("stable", "models:/delay/3", 75), new EndpointVariant("v4", "models:/delay/4", 25), new EndpointVariant("s5", "models:/delay/5", 0, VariantRoles.Shadow)],
            Alias: "champion", MinReplicas: 1, MaxReplicas: 3,
            Canary: new CanaryState("v4", "stable", [10, 25, 50, 100], 120, MaxErrorRate: 0.01, MaxP99Ms: 250, StepIndex: 1, StepStartedAt: At(-20)),
            Shadow: new ShadowSettings("s5", 50, At(-120)),
            Description: "Flight delay predictions for the booking site.",
            Previous: [new EndpointVariant("stable", "models:/delay/3", 100)]), 7, At(-3 * 24 * 60), At(-20)));
        Store.AddEvent(Delay, 1, At(-3 * 24 * 60), EndpointEventKinds.Created, "created with stable=models:/delay/3 (100%)", "alice");
        Store.AddEvent(Delay, 5, At(-120), EndpointEventKinds.ShadowStarted, "shadow s5=models:/delay/5 on 50% of requests", "alice");
        Store.AddEvent(Delay, 6, At(-40), EndpointEventKinds.CanaryStarted, "canary v4=models:/delay/4 at 10%", "bob");
        Store.AddEvent(Delay, 7, At(-20), EndpointEventKinds.CanaryStep, "step 2 of 4: v4 at 25% (error rate 0, p99 88 ms over 64 requests)", "cairn");
        await WriteDelayLogAsync();

        Store.Put(new EndpointRecord(new EndpointSpec(Checkout,
            [new EndpointVariant("a", "models:/ranker/1", 50), new EndpointVariant("b", "models:/ranker/2", 50)], StickyBy: "header:X-User-Id",
            AbTest: new AbTestSettings("conversion", MinimumDetectableEffect: 0.05, Control: "a", StartedAt: At(-24 * 60))), 2, At(-2 * 24 * 60), At(-24 * 60)));
        Store.AddEvent(Checkout, 2, At(-24 * 60), EndpointEventKinds.AbStarted, "A/B test on conversion: a 50%, b 50%", "carol");

        Store.Put(new EndpointRecord(new EndpointSpec(Legacy, [new EndpointVariant("stable", "models:/delay/3", 100)],
            Canary: new CanaryState("v4", "stable", [5, 25, 50, 100], 60, MaxP99Ms: 250, StepIndex: 1, StepStartedAt: At(-90), Status: CanaryStatuses.RolledBack, Reason: RollbackReason)),
            9, At(-5 * 24 * 60), At(-80)));
        Store.AddEvent(Legacy, 9, At(-80), EndpointEventKinds.CanaryRolledBack, RollbackReason, "cairn");

        Store.Put(new EndpointRecord(new EndpointSpec(BrokenLog, [new EndpointVariant("main", "models:/delay/3", 100)]), 1, At(-60), At(-60)));
        var brokenHour = InferenceLogLayout.HourFolder(_log.Path, BrokenLog, At(-10));
        Directory.CreateDirectory(brokenHour);
        await File.WriteAllTextAsync(Path.Combine(brokenHour, "part-0-broken.parquet"), "not a parquet file");

        Store.Put(new EndpointRecord(new EndpointSpec(HostileName,
            [new EndpointVariant(HostileName, HostileText, 60), new EndpointVariant("\"><script>alert('v')</script>", "javascript:alert('model')", 40)],
            Alias: HostileName, StickyBy: HostileText,
            AbTest: new AbTestSettings(HostileName, HostileText, Control: HostileText, StartedAt: At(-30)),
            Canary: new CanaryState(HostileName, HostileText, [50, 100], 60, Status: HostileText, Reason: HostileText, Gate: HostileName),
            Shadow: new ShadowSettings(HostileName, 10, At(-30)),
            Description: HostileText), 3, At(-60), At(-30)));
        Store.AddEvent(HostileName, 3, At(-30), HostileText, HostileText, HostileName);
    }

    private sealed record LogRow(string RequestId, long Row, long Timestamp, string Version, string Variant, double LatencyMs);

    /// <summary>
    /// Requests of <see cref="Delay"/>, each with its rows: in the hour before now 30 of stable (2 rows, 10..39 ms),
    /// 10 of v4 (1 row, 100..109 ms), 5 copies scored by the shadow s5 (3 rows); and two requests just outside it.
    /// </summary>
    private async Task WriteDelayLogAsync()
    {
        var earlier = new List<LogRow>();
        var later = new List<LogRow>();
        void Request(List<LogRow> file, string id, int rows, long time, string version, string variant, double latency)
        {
            for (var r = 0; r < rows; r++) file.Add(new LogRow(id, r, time, version, variant, latency));
        }
        Request(earlier, "too-old", 2, At(-80), "3", "stable", 1000); // 11:10, before the window
        for (var i = 0; i < 10; i++) Request(earlier, $"s{i}", 2, At(-50 + i), "3", "stable", 10 + i); // 11:40..11:49
        for (var i = 0; i < 20; i++) Request(later, $"s{10 + i}", 2, At(-30 + i), "3", "stable", 20 + i); // 12:00..12:19
        for (var i = 0; i < 10; i++) Request(later, $"c{i}", 1, At(-20 + i), "4", "v4", 100 + i); // 12:10..12:19
        for (var i = 0; i < 5; i++) Request(later, $"c{i}", 3, At(-15), "5", "s5", 5); // the shadow's copies
        Request(later, "too-new", 2, At(0), "3", "stable", 1000); // 12:30: the window ends before it
        await WriteAsync(earlier, At(-50));
        await WriteAsync(later, At(-30));
    }

    /// <summary>One Parquet file of the inference log with the columns the serving writer gives every row.</summary>
    private async Task WriteAsync(IReadOnlyList<LogRow> rows, long hour)
    {
        var folder = InferenceLogLayout.HourFolder(_log.Path, Delay, hour);
        Directory.CreateDirectory(folder);
        DataField<string> requestId = new("request_id"), model = new("model"), version = new("version"), variant = new("variant"), protocol = new("protocol");
        DataField<long> row = new("row"), timestamp = new("timestamp");
        DataField<double> latency = new("latency_ms");
        DataField<double?> probability = new("output_probability");
        var schema = new ParquetSchema(requestId, row, timestamp, model, version, variant, protocol, latency, probability);
        await using var stream = File.Create(Path.Combine(folder, $"part-{hour}-test.parquet"));
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(requestId, (IReadOnlyCollection<string>)rows.Select(r => r.RequestId).ToArray());
        await group.WriteAsync<long>(row, rows.Select(r => r.Row).ToArray());
        await group.WriteAsync<long>(timestamp, rows.Select(r => r.Timestamp).ToArray());
        await group.WriteAsync(model, (IReadOnlyCollection<string>)rows.Select(_ => Delay).ToArray());
        await group.WriteAsync(version, (IReadOnlyCollection<string>)rows.Select(r => r.Version).ToArray());
        await group.WriteAsync(variant, (IReadOnlyCollection<string?>)rows.Select(r => r.Variant).ToArray());
        await group.WriteAsync(protocol, (IReadOnlyCollection<string>)rows.Select(_ => "v2").ToArray());
        await group.WriteAsync<double>(latency, rows.Select(r => r.LatencyMs).ToArray());
        await group.WriteAsync<double>(probability, rows.Select(_ => (double?)0.5).ToArray());
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _log.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EndpointServerCollection : ICollectionFixture<EndpointServer>
{
    public const string Name = "endpoint server";
}
