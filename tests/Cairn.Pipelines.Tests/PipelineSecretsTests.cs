using Cairn.Pipelines;

namespace Cairn.Pipelines.Tests;

/// <summary>A step's error is stored in a run tag, which anyone who can read the run reads: secrets in it are masked.</summary>
public sealed class PipelineSecretsTests : IDisposable
{
    private readonly PipelineFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task AStepErrorNamingAPassword_IsStoredMasked()
    {
        var pipeline = _f.Write("""
            name: leaky
            steps:
              bad:
                run: echo bad
                inputs: [Password=hunter2pw.csv]
            """);

        var result = await _f.RunAsync(pipeline);

        Assert.False(result.Succeeded);
        var run = await _f.Client.Tracking.GetRunAsync(result.PipelineRunId);
        var stored = string.Join("\n", run.Data.Tags.Select(t => t.Value));
        Assert.Contains("Password=***", stored);
        Assert.DoesNotContain("hunter2pw", stored);
    }
}
