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

    private readonly Option<string?> _functions = FeatureFunctionsOption.Create();

    public void AddTo(Command command)
    {
        command.Options.Add(_service);
        command.Options.Add(_store);
        command.Options.Add(_functions);
    }

    /// <summary>
    /// The enricher asked for, or null; an unknown service fails here, before the server starts.
    /// <paramref name="opened"/> is the online store to dispose when serving stops (null when none was opened).
    /// </summary>
    public async Task<(OnlineFeatureEnricher? Enricher, IAsyncDisposable? Opened)> OpenAsync(ParseResult parse, CairnClient client, CancellationToken ct)
    {
        if (parse.GetValue(_service) is not { } name)
            return parse.GetValue(_store) is not null ? throw CairnException.InvalidParameter("--online-store is read only with --feature-service: name the feature service to look up.")
                : parse.GetValue(_functions) is not null ? throw CairnException.InvalidParameter("--feature-functions is read only with --feature-service: name the feature service to look up.")
                : (null, null);
        var repository = await client.Features.GetRepositoryAsync(ct);
        if (client.Location is ServerLocation && parse.GetValue(_store) is null)
            return parse.GetValue(_functions) is null ? (OnlineFeatureEnricher.Create(client.OnlineFeatures, repository, name), null)
                : throw CairnException.InvalidParameter("--feature-functions is read only with a local online store: the server computes on-demand features with the functions it was started with.");
        var functions = FeatureFunctionsOption.Load(parse, _functions, Environment.CurrentDirectory);
        var folder = OnlineFeatureWiring.FeaturesFolder(client.Location is EmbeddedLocation embedded ? Path.GetDirectoryName(embedded.DatabasePath) : null);
        var local = await OnlineFeatureWiring.OpenServiceAsync(client.Features, parse.GetValue(_store), folder, ct, functions);
        try
        {
            var enricher = OnlineFeatureEnricher.Create(local, repository, name);
            functions.EnsureService(repository, name);
            return (enricher, local.Store);
        }
        catch
        {
            await local.Store.DisposeAsync();
            throw;
        }
    }
}
