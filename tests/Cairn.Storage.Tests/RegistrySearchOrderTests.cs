using Cairn.Registry;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>
/// The order of a model-version search without order_by, as MLflow's store sorts it: most
/// recently updated first, then name ascending and version descending. On a clock that moves one
/// millisecond per reading, so that every write has its own time.
/// </summary>
public sealed class RegistrySearchOrderTests : IDisposable
{
    private sealed class SteppingClock : TimeProvider
    {
        private long _ms = 1_700_000_000_000;
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Increment(ref _ms));
    }

    private readonly TempFolder _folder = new();
    private readonly SqliteRegistryStore _store;

    public RegistrySearchOrderTests() => _store = new SqliteRegistryStore(_folder.File("cairn.db"), new SteppingClock());

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    private static string Source() => $"runs:/{Ids.NewId()}/model";

    [Fact]
    public async Task SearchModelVersions_WithoutOrderBy_PutsTheMostRecentlyUpdatedFirst()
    {
        await _store.CreateModelVersionAsync(new NewModelVersion("b", Source()));
        await _store.CreateModelVersionAsync(new NewModelVersion("a", Source()));
        await _store.CreateModelVersionAsync(new NewModelVersion("a", Source()));
        await _store.UpdateModelVersionAsync("b", "1", "touched last");

        var page = await _store.SearchModelVersionsAsync(new RegistryQuery());

        Assert.Equal(["b/1", "a/2", "a/1"], page.Items.Select(v => $"{v.Name}/{v.Version}"));
    }

    [Fact]
    public async Task SearchModelVersions_WithOrderBy_BreaksTiesByNameThenNewestVersion()
    {
        await _store.CreateModelVersionAsync(new NewModelVersion("b", Source()));
        await _store.CreateModelVersionAsync(new NewModelVersion("a", Source()));
        await _store.CreateModelVersionAsync(new NewModelVersion("a", Source()));

        var page = await _store.SearchModelVersionsAsync(new RegistryQuery(OrderBy: ["name ASC"]));

        Assert.Equal(["a/2", "a/1", "b/1"], page.Items.Select(v => $"{v.Name}/{v.Version}"));
    }
}
