using Microsoft.ML;

namespace Cairn.Pipelines.Steps.Tests;

public sealed class TrainerCatalogTests
{
    [Fact]
    public void FindsMlNetsBinaryTrainersByName()
    {
        Assert.Equal(["AveragedPerceptron", "FastForest", "FastTree", "FieldAwareFactorizationMachine", "Gam", "LbfgsLogisticRegression", "LdSvm", "LightGbm", "LinearSvm",
            "SdcaLogisticRegression", "SdcaNonCalibrated", "SgdCalibrated", "SgdNonCalibrated"], TrainerCatalog.Names);
    }

    private sealed class Row
    {
        [Microsoft.ML.Data.VectorType(2)]
        public float[] Features { get; set; } = [];
        public bool Late { get; set; }
    }

    [Fact]
    public void SetsOptionsByNameIgnoringCaseAndUnderscores()
    {
        var ml = new MLContext(1);
        var trainer = (Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer)TrainerCatalog.Create(ml, "FastTree",
            new Dictionary<string, string> { ["number_of_trees"] = "7", ["minimumexamplecountperleaf"] = "2" }, "Late", "Features");
        var rows = Enumerable.Range(0, 60).Select(i => new Row { Features = [i % 10, i % 7], Late = i % 10 > 4 }).ToList();
        var model = trainer.Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.Equal(7, model.Model.SubModel.TrainedTreeEnsemble.Trees.Count);
    }

    [Theory]
    [InlineData("LightGbm", "Booster", "x", "'Booster' is not an option of LightGbm")] // an object, not settable from text
    [InlineData("LightGbm", "NumberOfLeaves", "1.5", "the option NumberOfLeaves of LightGbm is a int32, and '1.5' is not one.")]
    [InlineData("FastTree", "Bundling", "sideways", "the option Bundling of FastTree is a one of None, AggregateLowPopulation, Adjacent")]
    [InlineData("FastTree", "LabelColumnName", "x", "'LabelColumnName' is not an option of FastTree")] // the step sets it
    public void RefusesWhatCannotBeSet(string trainer, string option, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TrainerCatalog.Create(new MLContext(1), trainer, new Dictionary<string, string> { [option] = value }, "late", "Features"));
        Assert.Contains(expected, e.Message);
    }
}
