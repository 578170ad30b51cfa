
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
    public async Task ATrainingSet_RecordsTheViewVersionsItWasDerivedFrom_AndAModelTrainedOnItNamesThemInItsLineage()
    {
        await WriteProjectAsync(git: true);
        var first = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "data/train.parquet", "--dataset", "delay_train");
        // A second view version, and a training set with other rows built from it.
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("source: flights", "source: flights\n    description: Mean delay by origin."));
        Assert.Equal(0, (await Features("apply")).Exit);
        await File.AppendAllTextAsync(Path.Combine(Project, "entities.csv"), "SEA,2024-01-05 00:00:00,1\n");
        var second = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "data/train.parquet", "--dataset", "delay_train");

        Assert.True(first.Exit == 0, first.Err);
        Assert.True(second.Exit == 0, second.Err);
        Assert.Contains("Tracked as data:/delay_train@2", second.Out);
        Assert.Contains("derived from features:/airport_delays@2", second.Out);
        string runId;
        using (var cairn = CairnClient.Open(Store))
        {
            Assert.Equal(["features:/airport_delays@1"], (await cairn.Datasets.GetVersionAsync("delay_train", "1")).DerivedFrom);
            Assert.Equal(["features:/airport_delays@2"], (await cairn.Datasets.GetVersionAsync("delay_train", "2")).DerivedFrom);
            using var run = cairn.StartRun("delay");
            run.LogInput("data:/delay_train@2");
            run.LogText(global::Cairn.Models.ModelManifest.Create("model", run.RunId, null).ToString(), "model/MLmodel");
            runId = run.RunId;
        }
        Assert.Equal(0, (await Cairn("models", "register", $"runs:/{runId}/model", "--name", "delay")).Exit);

        var lineage = await Cairn("models", "lineage", "models:/delay/1");
        var json = await Cairn("models", "lineage", "models:/delay/1", "-o", "json");
        var card = await Cairn("models", "card", "models:/delay/1");
        var versions = await Cairn("data", "versions", "delay_train", "-o", "json");

        Assert.True(lineage.Exit == 0, lineage.Err);
        Assert.Contains("feature views: features:/airport_delays@2 via data:/delay_train@2", lineage.Out);
        Assert.DoesNotContain("airport_delays@1", lineage.Out);
        var view = System.Text.Json.Nodes.JsonNode.Parse(json.Out)!["feature_views"]!.AsArray().Single()!;
        Assert.Equal("features:/airport_delays@2", view["view"]!.GetValue<string>());
        Assert.Equal("data:/delay_train@2", view["input"]!.GetValue<string>());
        Assert.Contains("| feature views | features:/airport_delays@2 via data:/delay_train@2 |", card.Out);
        var listed = System.Text.Json.Nodes.JsonNode.Parse(versions.Out)!["dataset_versions"]!.AsArray();
        Assert.Equal("features:/airport_delays@2", listed[0]!["derived_from"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task ATrainingSetWithRowsTheDatasetAlreadyHas_KeepsTheLineageItWasFirstTaggedWith_AndSaysSo()
    {
        await WriteProjectAsync(git: true);
        await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "data/train.parquet", "--dataset", "delay_train");
        await File.WriteAllTextAsync(Path.Combine(Project, "features", "delays.yaml"), Definitions.Replace("source: flights", "source: flights\n    description: Mean delay by origin."));
        Assert.Equal(0, (await Features("apply")).Exit);

        var again = await Features("get-historical", "--service", "delay_v1", "--entities", "entities.csv", "--out", "data/train.parquet", "--dataset", "delay_train");

        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("data:/delay_train@1 already held these rows", again.Out);
        Assert.Contains("derived from features:/airport_delays@1.", again.Out);
        using var cairn = CairnClient.Open(Store);
        Assert.Equal(["features:/airport_delays@1"], (await cairn.Datasets.GetVersionAsync("delay_train", "1")).DerivedFrom);
        Assert.Single(await cairn.Datasets.ListVersionsAsync("delay_train"));
        var tagged = await Cairn("data", "tag", Path.Combine(Project, "data", "train.parquet"), "delay_train", "-C", Project);
        Assert.True(tagged.Exit == 0, tagged.Err);
        Assert.Contains("data:/delay_train@1", tagged.Out);
        Assert.Contains("derived from features:/airport_delays@1", tagged.Out);
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
