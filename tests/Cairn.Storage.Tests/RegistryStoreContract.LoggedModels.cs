using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>Model versions registered from MLflow 3 logged models (<c>models:/&lt;model id&gt;</c>) keep the model's id.</summary>
public abstract partial class RegistryStoreContract
{
    [Fact]
    public async Task CreateVersion_FromALoggedModel_KeepsItsModelId_GivenOrTakenFromTheSource()
    {
        var name = Unique();
        var given = LoggedModelIds.NewId();
        var inferred = LoggedModelIds.NewId();

        var first = await Store.CreateModelVersionAsync(new NewModelVersion(name, "models:/" + given, ModelId: given));
        var second = await Store.CreateModelVersionAsync(new NewModelVersion(name, "models:/" + inferred));
        var plain = await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        Assert.Equal((given, "models:/" + given), (first.ModelId, first.Source));
        Assert.Equal(inferred, second.ModelId);
        Assert.Null(plain.ModelId);
        Assert.Equal(given, (await Store.GetModelVersionAsync(name, "1")).ModelId);
        var found = await Store.SearchModelVersionsAsync(new RegistryQuery($"name = '{name}'"));
        Assert.Equal([given, inferred, null], found.Items.OrderBy(v => long.Parse(v.Version)).Select(v => v.ModelId));
        await Assert.ThrowsAsync<CairnException>(() => Store.CreateModelVersionAsync(new NewModelVersion(name, "models:/m-not-an-id")));
    }
}
