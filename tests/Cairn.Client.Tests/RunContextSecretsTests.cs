namespace Cairn.Client.Tests;

/// <summary>The command line a run is tagged with has its secrets masked.</summary>
public class RunContextSecretsTests
{
    [Fact]
    public void CommandLineOf_MasksTokenOptionsAndUriPasswords_AndQuotesArgumentsWithSpaces()
    {
        var line = RunContext.CommandLineOf(["train.dll", "--token", "t0psecret", "--db", "postgresql://u:pw123456@h/db", "--name", "two words"]);

        Assert.Equal("train.dll --token *** --db postgresql://u:***@h/db --name \"two words\"", line);
    }

    [Fact]
    public void Capture_TagsTheCommandLineThroughTheSameMasking() =>
        Assert.Equal(RunContext.CommandLineOf(Environment.GetCommandLineArgs()), RunContext.Capture()[RunContext.CommandLine]);
}
