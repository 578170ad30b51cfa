using Cairn.Registry;

namespace Cairn.Core.Tests;

/// <summary>Gate references to other model versions by URI: <c>models:/name@alias.metrics.x</c>, <c>models:/name/N.metrics.x</c>.</summary>
public class PromotionGateModelReferenceTests
{
    [Fact]
    public void Parse_ModelReferences_KeepTheUriKindAndKey()
    {
        var gate = PromotionGate.Parse("metrics.auc >= models:/quickstart-delay@champion.metrics.auc - 0.005 and params.trees <= models:/team.delay/3.params.trees");

        Assert.Equal(
        [
            new GateReference(GateScope.Candidate, "metrics", "auc"),
            new GateReference(GateScope.Model, "metrics", "auc", "models:/quickstart-delay@champion"),
            new GateReference(GateScope.Candidate, "params", "trees"),
            new GateReference(GateScope.Model, "params", "trees", "models:/team.delay/3"),
        ], gate.References);
        Assert.Equal("models:/quickstart-delay@champion.metrics.auc", gate.References[1].ToString());
    }

    [Fact]
    public void Evaluate_AliasWithoutHolder_PassesOnlyTheComparisonsReadingIt()
    {
        var gate = PromotionGate.Parse("metrics.auc >= models:/delay@champion.metrics.auc-0.01 and metrics.auc > 0.95");
        var result = gate.Evaluate(r => r.Scope == GateScope.Candidate ? 0.9 : null, r => r.Scope != GateScope.Model);

        Assert.False(result.Passed);
        Assert.Equal("metrics.auc >= models:/delay@champion.metrics.auc-0.01: no current holder of models:/delay@champion, passes", result.Details[0]);
        Assert.Contains("0.9 > 0.95, fails", result.Details[1]);
    }

    [Fact]
    public void Evaluate_HeldAlias_ComparesItsValue()
    {
        var gate = PromotionGate.Parse("metrics.auc >= (models:/delay@champion.metrics.auc - 0.005)");
        var result = gate.Evaluate(r => r.Scope == GateScope.Candidate ? 0.80 : 0.90, _ => true);
        Assert.False(result.Passed);
        Assert.Contains("0.8 >= 0.895, fails", result.Summary);
    }

    [Theory]
    [InlineData("metrics.auc >= models:/delay@champion.auc", "position 16")]
    [InlineData("metrics.auc >= models:/delay.metrics.auc", "names no version or alias")]
    [InlineData("metrics.auc >= models:/delay@v2.metrics.auc", "reserved")]
    [InlineData("metrics.auc >= models:/delay@champion.metrics. ", "expected a key")]
    public void Parse_BadModelReference_SaysWhere(string gate, string message)
    {
        var error = Assert.Throws<CairnException>(() => PromotionGate.Parse(gate));
        Assert.Contains(message, error.Message);
    }
}
