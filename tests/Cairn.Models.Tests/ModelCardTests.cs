namespace Cairn.Models.Tests;

/// <summary>How a model card quotes values: as text or code that no value can break out of.</summary>
public class ModelCardTests
{
    [Theory]
    [InlineData("learning_rate", "learning_rate")]
    [InlineData("0.05", "0.05")]
    [InlineData("_a_ *b*", @"\_a\_ \*b\*")]
    [InlineData("[x](javascript:alert(1))", @"\[x\](javascript:alert(1))")]
    [InlineData("<script>&#58;", @"\<script\>\&#58;")]
    [InlineData("a | b", @"a \| b")]
    [InlineData("line\n# heading", "line # heading")]
    public void Text_MarkdownInAValue_IsEscapedOnOneLine(string value, string expected) =>
        Assert.Equal(expected, ModelCard.Text(value));

    [Theory]
    [InlineData("runs:/abc/model", "`runs:/abc/model`")]
    [InlineData("x` [y](javascript:z) `w", "``x` [y](javascript:z) `w``")]
    [InlineData("`start", "`` `start ``")]
    [InlineData("a\r\nb", "`a b`")]
    public void Code_BackticksInAValue_GetALongerFence(string value, string expected) =>
        Assert.Equal(expected, ModelCard.Code(value));

    [Fact]
    public void Render_AGlobalExplanation_AddsAFeatureImportanceTableWithEscapedNames()
    {
        var version = new Cairn.Registry.ModelVersion("delay", "3", 0, 0, "ana", "None", null, "runs:/r/model", "r",
            Cairn.Registry.ModelVersionStatus.Ready, null, [], null, []);
        var lineage = new ModelLineage(version, null, null, "runs/r/model", null, []);
        var explanation = new Cairn.Models.Explain.Explanation("kernel", "identity", "Score", ["hour", "a|b *c*"], 0.25,
            [1.0, -0.5], [[0.5, 0.25], [-1.5, 0.75]], 40);
        var global = Cairn.Models.Explain.GlobalExplanation.From(explanation, [
            new Dictionary<string, object?> { ["hour"] = 6f, ["a|b *c*"] = "x" },
            new Dictionary<string, object?> { ["hour"] = 22f, ["a|b *c*"] = "y" }]);

        var card = ModelCard.Render(lineage, null, global);
        var without = ModelCard.Render(lineage, null);

        Assert.Contains("## Feature importance", card);
        Assert.Contains("over 2 rows, against 40 background rows; base value 0.25", card);
        Assert.Contains("| hour | 1 |", card);
        Assert.Contains(@"| a\|b \*c\* | 0.5 |", card);
        Assert.True(card.IndexOf("| hour |", StringComparison.Ordinal) < card.IndexOf(@"| a\|b", StringComparison.Ordinal), "most important first");
        Assert.DoesNotContain("Feature importance", without);
    }
}
