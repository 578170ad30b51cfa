using System.Text;
using Cairn.Models.Explain;
using Cairn.Monitoring;
using Cairn.Registry;
using Cairn.Testing;
using Cairn.Tracking;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server with a model whose versions have: a global explanation of a text and a numeric
/// feature (1), none (2), a damaged file (3), and features and values written by an attacker (4).
/// Its inference log (at a fixed time, <see cref="Now"/>) holds requests explained by serving for
/// versions 1 and 4 (see <see cref="WriteLogAsync"/>) beside a file that is not Parquet.
/// </summary>
public sealed class ExplanationServer : IAsyncLifetime
{
    public const string Model = "explained";
    public const string HostileFeature = "\"><img src=x onerror=alert('feature')>";
    public const string HostileValue = "<script>alert('value')</script>";

    /// <summary>Version 1's explanation: Origin matters most (text values), then Distance (numbers), then a feature without a finite value.</summary>
    public static readonly GlobalExplanation Explanation = new("tree_interventional", "identity", "Score", 0.25, 100,
        [new FeatureImportance("Origin", 0.6), new FeatureImportance("Distance", 0.2), new FeatureImportance("Broken", double.NaN)],
        ["Distance", "Origin", "Broken"],
        [["100", "SEA", "1"], ["300", "JFK", "1"], ["200", "SEA", "1"], [null, "SEA", "1"]],
        [[-0.2, 0.5, double.NaN], [0.3, -0.7, double.NaN], [0.1, 0.6, double.NaN], [0.0, 0.4, double.NaN]]);

    public static readonly DateTimeOffset Now = new(2025, 11, 24, 12, 30, 0, TimeSpan.Zero);
    public static long At(int minutesFromNow) => Now.AddMinutes(minutesFromNow).ToUnixTimeMilliseconds();

    private readonly TempFolder _log = new();
    public RunningServer Server { get; private set; } = null!;

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(o => o with { InferenceLog = _log.Path, Time = new FixedTime(Now) });
        await WriteLogAsync();
        var experiment = await Server.Store.CreateExperimentAsync("explained-experiment");
        var run = await Server.Store.CreateRunAsync(new NewRun(experiment, "ci", 1_760_000_000_000L, "train"));
        await Server.Registry.CreateRegisteredModelAsync(Model, null);
        for (var i = 0; i < 4; i++)
            await Server.Registry.CreateModelVersionAsync(new NewModelVersion(Model, $"runs:/{run.Info.RunId}/model", run.Info.RunId));
        await PutAsync("1", Explanation.ToJson());
        await PutAsync("3", "{ not json");
        var hostile = new GlobalExplanation(HostileValue, HostileValue, HostileValue, -1, 10,
            [new FeatureImportance(HostileFeature, 1.0)], [HostileFeature], [[HostileValue], ["plain"]], [[1.0], [-1.0]]);
        await PutAsync("4", hostile.ToJson());
    }

    private Task PutAsync(string version, string json) =>
        Server.Artifacts.PutAsync(GlobalExplanation.PathOf(Model, version), new MemoryStream(Encoding.UTF8.GetBytes(json)));

    /// <summary>A logged row: its request, row, time, version, inputs and (when explained) base value and SHAP values.</summary>
    private sealed record LogRow(string RequestId, long Row, long Timestamp, string Version, string? Origin, double? Distance, double? BaseValue, double? ShapOrigin, double? ShapDistance);

    /// <summary>
    /// Version 1: request r-new (1 row, 2 minutes ago) and r-two (rows 0 and 1, 10 minutes ago) explained, r-plain not
    /// explained, r-old explained 25 hours ago (outside the day shown); version 2: r-v2 explained. Version 4: one explained
    /// row whose feature name and value are hostile (a file of its own, as its columns differ).
    /// </summary>
    private async Task WriteLogAsync()
    {
        LogRow[] rows =
        [
            new("r-old", 0, At(-25 * 60), "1", "SEA", 100, 0.25, 9, 9),
            new("r-two", 0, At(-10), "1", "SEA", 250, 0.25, 0.5, -0.1),
            new("r-two", 1, At(-10), "1", "JFK", 900, 0.25, -0.7, 0.3),
            new("r-plain", 0, At(-5), "1", "SEA", 100, null, null, null),
            new("r-v2", 0, At(-3), "2", "SEA", 100, 0.25, 1, 1),
            new("r-new", 0, At(-2), "1", "BOS", 400, 0.25, 0.05, 0.2),
        ];
        var folder = InferenceLogLayout.HourFolder(_log.Path, Model, At(-2));
        Directory.CreateDirectory(folder);
        await WriteAsync(Path.Combine(folder, "part-1-explained.parquet"), rows.Where(r => r.RequestId != "r-old").ToList(), "Origin", "Distance");
        var old = InferenceLogLayout.HourFolder(_log.Path, Model, At(-25 * 60));
        Directory.CreateDirectory(old);
        await WriteAsync(Path.Combine(old, "part-0-old.parquet"), rows.Where(r => r.RequestId == "r-old").ToList(), "Origin", "Distance");
        await WriteAsync(Path.Combine(folder, "part-2-hostile.parquet"),
            [new LogRow("r-hostile", 0, At(-1), "4", HostileValue, 1, 0.5, 2, 1)], HostileFeature, "Distance");
        await File.WriteAllTextAsync(Path.Combine(folder, "part-3-broken.parquet"), "not a parquet file");
    }

    /// <summary>One inference log file, with the columns serving writes and the SHAP outputs of <c>--explain-log-rate</c>.</summary>
    private static async Task WriteAsync(string path, IReadOnlyList<LogRow> rows, string textFeature, string numberFeature)
    {
        DataField<string> requestId = new("request_id"), model = new("model"), version = new("version"), variant = new("variant"), text = new("input_" + textFeature);
        DataField<long> row = new("row"), timestamp = new("timestamp");
        DataField<double?> number = new("input_" + numberFeature), score = new("output_Score"), baseValue = new("output_shap_base_value"),
            shapText = new("output_shap_" + textFeature), shapNumber = new("output_shap_" + numberFeature);
        var schema = new ParquetSchema(requestId, row, timestamp, model, version, variant, text, number, score, shapText, shapNumber, baseValue);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(requestId, (IReadOnlyCollection<string>)rows.Select(r => r.RequestId).ToArray());
        await group.WriteAsync<long>(row, rows.Select(r => r.Row).ToArray());
        await group.WriteAsync<long>(timestamp, rows.Select(r => r.Timestamp).ToArray());
        await group.WriteAsync(model, (IReadOnlyCollection<string>)rows.Select(_ => Model).ToArray());
        await group.WriteAsync(version, (IReadOnlyCollection<string>)rows.Select(r => r.Version).ToArray());
        await group.WriteAsync(variant, (IReadOnlyCollection<string?>)rows.Select(_ => (string?)null).ToArray());
        await group.WriteAsync(text, (IReadOnlyCollection<string?>)rows.Select(r => r.Origin).ToArray());
        await group.WriteAsync<double>(number, rows.Select(r => r.Distance).ToArray());
        await group.WriteAsync<double>(score, rows.Select(r => r.BaseValue + r.ShapOrigin + r.ShapDistance).ToArray());
        await group.WriteAsync<double>(shapText, rows.Select(r => r.ShapOrigin).ToArray());
        await group.WriteAsync<double>(shapNumber, rows.Select(r => r.ShapDistance).ToArray());
        await group.WriteAsync<double>(baseValue, rows.Select(r => r.BaseValue).ToArray());
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _log.Dispose();
    }
}
