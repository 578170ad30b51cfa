using Cairn.Registry;

namespace Cairn.Core.Tests;

public class RegistryCoreTests
{
    private static Func<GateReference, double?> Values(Dictionary<string, double> values) =>
        r => values.TryGetValue(r.ToString(), out var v) ? v : null;

    [Fact]
    public void Gate_BetterChallenger_Passes()
    {
        var gate = PromotionGate.Parse("metrics.auc >= champion.metrics.auc - 0.005");
        var result = gate.Evaluate(Values(new() { ["metrics.auc"] = 0.90, ["champion.metrics.auc"] = 0.903 }), hasChampion: true);
        Assert.True(result.Passed);
        Assert.Contains("0.9 >= 0.898", result.Summary);
    }

    [Fact]
    public void Gate_WorseChallenger_FailsAndSaysWhy()
    {
        var gate = PromotionGate.Parse("metrics.auc >= champion.metrics.auc - 0.005 and metrics.latency_ms < 20");
        var result = gate.Evaluate(Values(new() { ["metrics.auc"] = 0.80, ["champion.metrics.auc"] = 0.90, ["metrics.latency_ms"] = 5 }), hasChampion: true);
        Assert.False(result.Passed);
        Assert.Contains("0.8 >= 0.895, fails", result.Details[0]);
        Assert.Contains("passes", result.Details[1]);
    }

    [Fact]
    public void Gate_NoChampionYet_PassesChampionComparisons_ButStillChecksTheRest()
    {
        var gate = PromotionGate.Parse("metrics.auc >= champion.metrics.auc and metrics.auc > 0.95");
        var result = gate.Evaluate(Values(new() { ["metrics.auc"] = 0.9 }), hasChampion: false);
        Assert.False(result.Passed);
        Assert.Contains("no current holder", result.Details[0]);
    }

    [Fact]
    public void Gate_MissingMetric_Fails()
    {
        var result = PromotionGate.Parse("metrics.f1 > 0.5").Evaluate(Values(new()), hasChampion: true);
        Assert.False(result.Passed);
        Assert.Contains("metrics.f1 is missing", result.Summary);
    }

    [Fact]
    public void Gate_ArithmeticPrecedenceAndParentheses()
    {
        var values = Values(new() { ["metrics.a"] = 2, ["champion.metrics.a"] = 3 });
        Assert.True(PromotionGate.Parse("metrics.a * 2 + 1 = 5").Evaluate(values, true).Passed);
        Assert.True(PromotionGate.Parse("(metrics.a + 1) * 2 = 6").Evaluate(values, true).Passed);
        Assert.True(PromotionGate.Parse("candidate.metrics.a <= champion.metrics.a * 1.1 and -metrics.a < 0").Evaluate(values, true).Passed);
    }

    [Theory]
    [InlineData("metrics.auc >", "position 14")]
    [InlineData("auc > 1", "position 1")]
    [InlineData("metrics.auc ~ 1", "position 13")]
    [InlineData("metrics.auc > 1 or metrics.f1 > 1", "position 17")]
    public void Gate_SyntaxError_NamesThePosition(string gate, string position)
    {
        var error = Assert.Throws<CairnException>(() => PromotionGate.Parse(gate));
        Assert.Contains(position, error.Message);
    }

    [Theory]
    [InlineData("models:/delay/3", "delay", "3", null)]
    [InlineData("models:/delay@champion", "delay", null, "champion")]
    [InlineData("models:/team/delay/12", "team/delay", "12", null)]
    public void ModelUri_Parses(string uri, string name, string? version, string? alias)
    {
        Assert.Equal(new ModelUri(name, version, alias), ModelUri.Parse(uri));
    }

    [Theory]
    [InlineData("models:/delay")]
    [InlineData("models:/delay/0")]
    [InlineData("models:/delay@")]
    [InlineData("models:/delay@v3")]
    [InlineData("runs:/x/model")]
    public void ModelUri_Invalid_IsRefused(string uri)
    {
        Assert.Throws<CairnException>(() => ModelUri.Parse(uri));
    }
}
