using Cairn.Registry;

namespace Cairn.Storage.Tests;

/// <summary>Hostile registry input: searches beyond the limits.</summary>
public abstract partial class RegistryStoreContract
{
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
