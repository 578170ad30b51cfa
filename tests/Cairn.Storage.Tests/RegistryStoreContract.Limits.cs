using Cairn.Registry;

namespace Cairn.Storage.Tests;

/// <summary>Hostile registry input: sources the server would not serve, and searches beyond the limits.</summary>
public abstract partial class RegistryStoreContract
{
    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("s3://someone-elses-bucket/model")]
    [InlineData("https://attacker.example/model.zip")]
    [InlineData("mlflow-artifacts:/0/../../../etc")]
    [InlineData("runs:/not-a-run-id/model")]
    public async Task CreateModelVersion_SourceThisServerWouldNotServe_IsInvalidParameter(string source)
    {
        var name = Unique();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateModelVersionAsync(new NewModelVersion(name, source)));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("source", error.Message);
        Assert.Empty((await Store.SearchModelVersionsAsync(new RegistryQuery($"name = '{name}'"))).Items);
    }

    [Theory]
    [InlineData("runs:/0123456789abcdef0123456789abcdef/model")]
    [InlineData("mlflow-artifacts:/0/0123456789abcdef0123456789abcdef/artifacts/model")]
    [InlineData("models:/delay/3")]
    [InlineData("models:/delay@champion")]
    public async Task CreateModelVersion_SourceAnMlflowClientSends_IsKept(string source)
    {
        var version = await Store.CreateModelVersionAsync(new NewModelVersion(Unique(), source));
        Assert.Equal(source, version.Source);
    }

    [Fact]
    public async Task SearchModelVersions_BeyondTheFilterAndOrderLimits_IsInvalidParameter()
    {
        // Short comparisons: registry searches travel in the query string.
        var tooManyComparisons = string.Join(" AND ", Enumerable.Repeat("tags.t = 'v'", 101));
        var filterError = await Assert.ThrowsAsync<CairnException>(() => Store.SearchModelVersionsAsync(new RegistryQuery(tooManyComparisons)));
        var orderError = await Assert.ThrowsAsync<CairnException>(() => Store.SearchRegisteredModelsAsync(new RegistryQuery(OrderBy: Enumerable.Repeat("name", 64).ToList())));

        Assert.Equal(ErrorCodes.InvalidParameterValue, filterError.ErrorCode);
        Assert.Contains("the limit is 100", filterError.Message);
        Assert.Equal(ErrorCodes.InvalidParameterValue, orderError.ErrorCode);
        Assert.Contains("the limit is 10", orderError.Message);
    }
}
