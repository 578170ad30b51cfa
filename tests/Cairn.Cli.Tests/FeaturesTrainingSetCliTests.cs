
namespace Cairn.Cli.Tests;

/// <summary><c>cairn features get-historical --dataset</c>: the training set tracked as a dataset version naming the view versions it was built from.</summary>
public sealed class FeaturesTrainingSetCliTests : CliRunner
{
    private const string Definitions = """
        entities:
          - name: origin_airport
            join_keys: [{name: Origin, type: string}]
        sources:
          - name: flights
            path: data/delays.csv
            timestamp_field: event_time
        feature_views:
          - name: airport_delays
            entities: [origin_airport]
            source: flights
            features: [{name: avg_delay, type: double}]
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay]
        """;

    private string Project => Folder.File("project");

    private async Task<(int Exit, string Out, string Err)> Features(params string[] args) => await Cairn(["features", .. args, "-C", Project]);

    private static void Git(string directory, params string[] args) => global::Cairn.Testing.GitCommand.Run(directory, args);

    private async Task WriteProjectAsync(bool git)
    {
        Directory.CreateDirectory(Path.Combine(Project, "features"));
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        if (git) Git(Project, "init", "-q", "-b", "main", ".");
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions);
        await File.WriteAllTextAsync(Path.Combine(Project, "data", "delays.csv"), "Origin,event_time,avg_delay\nSEA,2024-01-01 00:00:00,10.5\nSEA,2024-01-03 00:00:00,20.5\n");
        await File.WriteAllTextAsync(Path.Combine(Project, "entities.csv"), "Origin,event_timestamp,late\nSEA,2024-01-02 00:00:00,1\nSEA,2024-01-04 00:00:00,0\n");
        Assert.Equal(0, (await Features("apply")).Exit);
    }

    [Fact]
    public async Task ATrainingSet_IsTrackedAsADatasetVersion_NamingTheViewVersions_AndARunCanLogIt()
    {
        await WriteProjectAsync(git: true);

        var built = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "data/train.parquet", "--dataset", "delay_train");

        Assert.True(built.Exit == 0, built.Err);
        Assert.Contains("Tracked as data:/delay_train@1", built.Out);
        using var cairn = CairnClient.Open(Store);
        var version = await cairn.Datasets.GetVersionAsync("delay_train", "1");
        Assert.Equal("data/train.parquet", version.Path);
        Assert.Contains("features:/airport_delays@1", version.Description);
        Assert.Contains("feature service delay_v1", version.Description);
        Assert.Equal(2, version.Table!.Rows);
        Assert.True(File.Exists(Path.Combine(Project, "data", "train.parquet" + global::Cairn.Data.DataPointer.Extension)), "the training set is tracked by a pointer file");
        using var run = cairn.StartRun("delay");
        var logged = run.LogInput("data:/delay_train@1");
        Assert.Equal(version.Digest, logged.Digest);
    }

    [Fact]
    public async Task OutsideAGitWorkspace_ATrackedTrainingSetIsRefusedClearly_BeforeAnythingIsBuilt()
    {
        await WriteProjectAsync(git: false);

        var built = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "train.parquet", "--dataset", "delay_train");
        var badName = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "train.parquet", "--dataset", "../x");

        Assert.NotEqual(0, built.Exit);
        Assert.StartsWith("error: ", built.Err);
        Assert.Contains("git", built.Err);
        Assert.DoesNotContain("   at ", built.Err);
        Assert.False(File.Exists(Path.Combine(Project, "train.parquet")));
        Assert.NotEqual(0, badName.Exit);
        Assert.Contains("Invalid dataset name '../x'", badName.Err);
        Assert.DoesNotContain("   at ", badName.Err);
    }
}
