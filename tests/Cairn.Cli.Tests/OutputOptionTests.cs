namespace Cairn.Cli.Tests;

/// <summary>--output: what it accepts, and what it says about what it does not.</summary>
public class OutputOptionTests : CliRunner
{
    [Fact]
    public async Task RunsList_OutputYaml_SaysTableOrJsonWithoutTypeNames()
    {
        var (exit, output, err) = await Cairn("runs", "list", "--output", "yaml");

        Assert.NotEqual(0, exit);
        Assert.Contains("--output must be table or json", err + output);
        Assert.DoesNotContain("OutputFormat", err + output);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("JSON")]
    [InlineData("table")]
    public async Task ExperimentsList_OutputTableOrJson_IsAccepted(string format)
    {
        var (exit, _, err) = await Cairn("experiments", "list", "-o", format);
        Assert.True(exit == 0, err);
    }

    [Fact]
    public async Task RunsShow_JsonOutput_KeepsApostrophesReadable()
    {
        using (var cairn = CairnClient.Open(Store))
        {
            using var run = cairn.StartRun("delay", runName: "it's late");
        }
        var (exit, output, err) = await Cairn("runs", "list", "-e", "delay", "-o", "json");
        Assert.True(exit == 0, err);
        Assert.Contains("\"it's late\"", output);
    }
}
