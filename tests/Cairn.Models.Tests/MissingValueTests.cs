using Cairn.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models.Tests;

/// <summary>LoadedModel.Predict with missing values: null, NaN and "NaN" are one missing float; a missing integer names its column.</summary>
public sealed class MissingValueTests : IDisposable
{
    private sealed class Row
    {
        public float Depth { get; set; }
        public long Stations { get; set; }
        public float Label { get; set; }
    }

    private readonly TempFolder _folder = new();
    private readonly LoadedModel _model;

    public MissingValueTests()
    {
        var ml = new MLContext(seed: 2);
        var random = new Random(2);
        var rows = Enumerable.Range(0, 200).Select(i =>
        {
            var depth = (float)(random.NextDouble() * 50);
            var stations = random.Next(3, 40);
            return new Row { Depth = i % 8 == 0 ? float.NaN : depth, Stations = stations, Label = depth / 10 + stations / 20f };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.ConvertType("StationsF", "Stations", DataKind.Single)
            .Append(ml.Transforms.Concatenate("Features", "Depth", "StationsF"))
            .Append(ml.Regression.Trainers.FastTree("Label", numberOfLeaves: 4, numberOfTrees: 10, minimumExampleCountPerLeaf: 5)).Fit(data);
        using var cairn = CairnClient.Open(_folder.File("store"));
        string uri;
        using (var run = cairn.StartRun("missing")) uri = run.LogModel("model", ml, model, data.Schema, rows.Take(1).ToList(), labelColumn: "Label").ModelUri;
        _model = cairn.LoadModel(uri);
    }

    public void Dispose()
    {
        _model.Dispose();
        _folder.Dispose();
    }

    private float Score(object? depth, object? stations) =>
        (float)_model.Predict(new Dictionary<string, object?> { ["Depth"] = depth, ["Stations"] = stations })["Score"]!;

    [Fact]
    public void NullNaNAndTheStringNaN_ScoreAlike_AndFinite()
    {
        var nan = Score(double.NaN, 10L);

        Assert.True(float.IsFinite(nan));
        Assert.Equal(nan, Score(null, 10L));
        Assert.Equal(nan, Score(float.NaN, 10L));
        Assert.Equal(nan, Score("NaN", 10L));
        Assert.Equal(nan, Score(System.Text.Json.JsonDocument.Parse("null").RootElement, 10L));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(double.NaN)]
    [InlineData("NaN")]
    public void AMissingInteger_IsInvalidParameterNamingTheColumn(object? stations)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>>
        {
            new Dictionary<string, object?> { ["Depth"] = 1f, ["Stations"] = 4L },
            new Dictionary<string, object?> { ["Depth"] = 1f, ["Stations"] = stations },
        };

        var error = Assert.Throws<CairnException>(() => _model.Predict(rows));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Equal("Column 'Stations' is int64 and cannot be missing (row 1).", error.Message);
    }
}
