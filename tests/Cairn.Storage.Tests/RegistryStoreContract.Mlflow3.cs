using Cairn.Registry;

namespace Cairn.Storage.Tests;

/// <summary>
/// What MLflow 3's clients rely on: searches that leave prompts out (and keep models without the
/// prompt tag), tag comparisons that a missing tag fails, MLflow's page sizes, stages, and "" for
/// an unset description.
/// </summary>
public abstract partial class RegistryStoreContract
{
    private const string NotAPrompt = "tag.`mlflow.prompt.is_prompt` != 'true'";

    private async Task<(string Plain, string Tagged, string Prompt)> ModelsWithAndWithoutPromptTagAsync(string prefix)
    {
        var plain = prefix + "-plain";
        var tagged = prefix + "-tagged";
        var prompt = prefix + "-prompt";
        await Store.CreateRegisteredModelAsync(plain);
        await Store.CreateRegisteredModelAsync(tagged, tags: [new RegisteredModelTag("mlflow.prompt.is_prompt", "false"), new RegisteredModelTag("team", "ml")]);
        await Store.CreateRegisteredModelAsync(prompt, tags: [new RegisteredModelTag("mlflow.prompt.is_prompt", "true")]);
        return (plain, tagged, prompt);
    }

    private async Task<List<string>> ModelNamesAsync(string prefix, string? filter)
    {
        var nameFilter = $"name LIKE '{prefix}%'";
        var page = await Store.SearchRegisteredModelsAsync(new RegistryQuery(filter is null ? nameFilter : $"{nameFilter} AND {filter}"));
        return page.Items.Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task SearchModels_TheFilterMlflow3ClientsSend_KeepsModelsWithoutThePromptTagAndLeavesPromptsOut()
    {
        var prefix = Unique();
        var (plain, tagged, _) = await ModelsWithAndWithoutPromptTagAsync(prefix);

        Assert.Equal([plain, tagged], await ModelNamesAsync(prefix, NotAPrompt));
        Assert.Equal([plain, tagged], await ModelNamesAsync(prefix, null));
        Assert.Equal([tagged], await ModelNamesAsync(prefix, NotAPrompt + " AND tags.team = 'ml'"));
    }

    [Fact]
    public async Task SearchModels_AskingForPrompts_FindsOnlyPrompts()
    {
        var prefix = Unique();
        var (_, _, prompt) = await ModelsWithAndWithoutPromptTagAsync(prefix);

        Assert.Equal([prompt], await ModelNamesAsync(prefix, "tags.`mlflow.prompt.is_prompt` = 'true'"));
        // As in MLflow: 'TRUE' asks for prompts, and then compares as written (the tag holds 'true').
        Assert.Empty(await ModelNamesAsync(prefix, "tags.`mlflow.prompt.is_prompt` = 'TRUE'"));
        Assert.Equal([prompt], await ModelNamesAsync(prefix, "tags.`mlflow.prompt.is_prompt` != 'false'"));
    }

    [Theory]
    [InlineData("tags.team != 'ds'")]
    [InlineData("tags.team = 'ml'")]
    [InlineData("tags.team LIKE 'm%'")]
    [InlineData("tags.team ILIKE 'M%'")]
    public async Task SearchModels_ATagComparison_NeverMatchesAModelWithoutTheTag(string filter)
    {
        var prefix = Unique();
        var (_, tagged, _) = await ModelsWithAndWithoutPromptTagAsync(prefix);

        Assert.Equal([tagged], await ModelNamesAsync(prefix, filter));
    }

    [Fact]
    public async Task SearchModelVersions_TheFilterMlflow3ClientsSend_KeepsVersionsWithoutThePromptTag()
    {
        var name = Unique();
        var promptName = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source(), Tags: [new ModelVersionTag("stage", "dev")]));
        await Store.CreateModelVersionAsync(new NewModelVersion(promptName, Source(), Tags: [new ModelVersionTag("mlflow.prompt.is_prompt", "true")]));

        var found = await Store.SearchModelVersionsAsync(new RegistryQuery($"name IN ('{name}', '{promptName}') AND {NotAPrompt}", RegistryQuery.DefaultMaxVersionResults));
        Assert.Equal(["1", "2"], found.Items.Select(v => v.Version).Order());
        Assert.All(found.Items, v => Assert.Equal(name, v.Name));

        var prompts = await Store.SearchModelVersionsAsync(new RegistryQuery($"name IN ('{name}', '{promptName}') AND tags.`mlflow.prompt.is_prompt` = 'true'"));
        Assert.Equal(promptName, Assert.Single(prompts.Items).Name);
        // A tag comparison needs the tag: version 1 has no "stage" tag.
        Assert.Equal("2", Assert.Single((await Store.SearchModelVersionsAsync(new RegistryQuery($"name = '{name}' AND tags.stage != 'prod'"))).Items).Version);
    }

    [Fact]
    public async Task SearchModelVersions_MlflowClientsDefaultPageSize_IsAccepted()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        var page = await Store.SearchModelVersionsAsync(new RegistryQuery($"name = '{name}'", 10_000));

        Assert.Single(page.Items);
        Assert.Null(page.NextPageToken);
    }

    [Fact]
    public async Task SearchPageSizes_BeyondMlflowsLimits_AreInvalidParameterInMlflowsWords()
    {
        var versions = await Assert.ThrowsAsync<CairnException>(() => Store.SearchModelVersionsAsync(new RegistryQuery(MaxResults: 200_001)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, versions.ErrorCode);
        Assert.Contains("It must be at most 200000, but got value 200001", versions.Message);

        var models = await Assert.ThrowsAsync<CairnException>(() => Store.SearchRegisteredModelsAsync(new RegistryQuery(MaxResults: 1001)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, models.ErrorCode);
        Assert.Contains("It must be at most 1000, but got value 1001", models.Message);
    }

    [Fact]
    public async Task UnsetDescriptions_ReadAsEmpty_AsMlflowsServerAnswers()
    {
        var name = Unique();
        var model = await Store.CreateRegisteredModelAsync(name);
        var version = await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        Assert.Equal("", model.Description);
        Assert.Equal("", version.Description);
        Assert.Equal("", (await Store.GetRegisteredModelAsync(name)).Description);
        Assert.Equal("", (await Store.UpdateModelVersionAsync(name, "1", null)).Description);
    }

    [Fact]
    public async Task TransitionStage_MovesTheVersion_AndArchivesTheOthersInThatStageWhenAsked()
    {
        var name = Unique();
        for (var i = 0; i < 3; i++) await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        Assert.Equal("Production", (await Store.TransitionModelVersionStageAsync(name, "1", "production", false)).CurrentStage);
        await Store.TransitionModelVersionStageAsync(name, "2", "Production", archiveExistingVersions: false);
        Assert.Equal("Production", (await Store.GetModelVersionAsync(name, "1")).CurrentStage);

        var third = await Store.TransitionModelVersionStageAsync(name, "3", "PRODUCTION", archiveExistingVersions: true);

        Assert.Equal("Production", third.CurrentStage);
        Assert.Equal("Archived", (await Store.GetModelVersionAsync(name, "1")).CurrentStage);
        Assert.Equal("Archived", (await Store.GetModelVersionAsync(name, "2")).CurrentStage);
        // MLflow's latest_versions: the newest version of each stage.
        var latest = (await Store.GetRegisteredModelAsync(name)).LatestVersions.ToDictionary(v => v.CurrentStage, v => v.Version);
        Assert.Equal(new Dictionary<string, string> { ["Production"] = "3", ["Archived"] = "2" }, latest);
    }

    [Fact]
    public async Task TransitionStage_AnUnknownStageOrArchivingFromAnInactiveOne_IsInvalidParameterInMlflowsWords()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        var unknown = await Assert.ThrowsAsync<CairnException>(() => Store.TransitionModelVersionStageAsync(name, "1", "Shipped", false));
        Assert.Equal(ErrorCodes.InvalidParameterValue, unknown.ErrorCode);
        Assert.Equal("Invalid Model Version stage: Shipped. Value must be one of None, Staging, Production, Archived.", unknown.Message);

        var archive = await Assert.ThrowsAsync<CairnException>(() => Store.TransitionModelVersionStageAsync(name, "1", "Archived", true));
        Assert.Equal(ErrorCodes.InvalidParameterValue, archive.ErrorCode);
        Assert.Contains("'Archived' is not an Active stage. Valid stages are ['Staging', 'Production']", archive.Message);

        var missing = await Assert.ThrowsAsync<CairnException>(() => Store.TransitionModelVersionStageAsync(name, "9", "Staging", false));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, missing.ErrorCode);
        Assert.Equal("None", (await Store.GetModelVersionAsync(name, "1")).CurrentStage);
    }
}
