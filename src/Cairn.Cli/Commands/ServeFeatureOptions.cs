using System.CommandLine;
using Cairn.Features;
using Cairn.Serving;

namespace Cairn.Cli.Commands;

/// <summary>The online-feature options of <c>cairn serve</c>: which feature service enriches each request, from which online store.</summary>
internal sealed class ServeFeatureOptions
{
    private readonly Option<string?> _service = new("--feature-service")
        { Description = "Add this feature service's online features to each request row, looked up by the row's join keys, before scoring." };
    private readonly Option<string?> _store = new("--online-store")
        { Description = $"redis://host:port[/db] or a SQLite file (default: ${OnlineFeatureWiring.EnvironmentVariable}, else features/online.db beside the store; with a server's tracking URI, the server's)." };

    public void AddTo(Command command)
    {
        command.Options.Add(_service);
        command.Options.Add(_store);
    }

    /// <summary>
    /// The enricher asked for, or null; an unknown service fails here, before the server starts.
    /// <paramref name="opened"/> is the online store to dispose when serving stops (null when none was opened).
    /// </summary>
    public async Task<(OnlineFeatureEnricher? Enricher, IAsyncDisposable? Opened)> OpenAsync(ParseResult parse, CairnClient client, CancellationToken ct)
    {
        if (parse.GetValue(_service) is not { } name)
            return parse.GetValue(_store) is null ? (null, null) : throw CairnException.InvalidParameter("--online-store is read only with --feature-service: name the feature service to look up.");
        var repository = await client.Features.GetRepositoryAsync(ct);
        if (client.Location is ServerLocation && parse.GetValue(_store) is null)
            return (OnlineFeatureEnricher.Create(client.OnlineFeatures, repository, name), null);
        var folder = OnlineFeatureWiring.FeaturesFolder(client.Location is EmbeddedLocation embedded ? Path.GetDirectoryName(embedded.DatabasePath) : null);
        var local = await OnlineFeatureWiring.OpenServiceAsync(client.Features, parse.GetValue(_store), folder, ct);
        try
        {
            return (OnlineFeatureEnricher.Create(local, repository, name), local.Store);
        }
        catch
        {
            await local.Store.DisposeAsync();
            throw;
        }
    }
}
