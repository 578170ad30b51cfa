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
}
