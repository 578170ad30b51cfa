using System.Text.Json;
using Cairn.Protocol;
using Cairn.Tracking;

namespace Cairn.Rest;

/// <summary>MLflow 3's logged models on a remote Cairn or MLflow server, at MLflow's paths (/api/2.0/mlflow/logged-models/..., runs/outputs); errors come back as the same <see cref="CairnException"/> codes.</summary>
public sealed class RestLoggedModelStore(RestTransport transport) : ILoggedModelStore
{
    private const string Models = "api/2.0/mlflow/logged-models";

    private static string Path(string modelId, string tail = "") =>
        $"{Models}/{Uri.EscapeDataString(LoggedModelIds.Require(modelId))}{tail}";

    /// <inheritdoc />
    public async Task<LoggedModel> CreateLoggedModelAsync(NewLoggedModel model, CancellationToken ct = default) =>
        (await transport.PostAsync<LoggedModelResponse>(Models, new CreateLoggedModelRequest(model.ExperimentId, model.Name, model.ModelType,
            model.SourceRunId, model.Params?.ToList(), model.Tags?.ToList()), ct).ConfigureAwait(false)).Model;

    /// <inheritdoc />
    public async Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken ct = default) =>
        (await transport.GetAsync<LoggedModelResponse>(Path(modelId), [], ct).ConfigureAwait(false)).Model;

    /// <inheritdoc />
    public async Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken ct = default) =>
        (await transport.SendJsonAsync<LoggedModelResponse>(HttpMethod.Patch, Path(modelId),
            new FinalizeLoggedModelRequest(modelId, JsonSerializer.SerializeToElement(status, CairnJson.Options)), ct).ConfigureAwait(false)).Model;

    /// <inheritdoc />
    public Task DeleteLoggedModelAsync(string modelId, CancellationToken ct = default) =>
        transport.SendAsync<object>(() => new HttpRequestMessage(HttpMethod.Delete, Path(modelId)), ct);

    /// <inheritdoc />
    public async Task<Page<LoggedModel>> SearchLoggedModelsAsync(LoggedModelQuery query, CancellationToken ct = default)
    {
        var response = await transport.PostAsync<SearchLoggedModelsResponse>(Models + "/search", new SearchLoggedModelsRequest(
            query.ExperimentIds.ToList(), query.Filter, query.Datasets?.ToList(), query.MaxResults, query.OrderBy?.ToList(), query.PageToken), ct).ConfigureAwait(false);
        return new Page<LoggedModel>(response.Models ?? [], string.IsNullOrEmpty(response.NextPageToken) ? null : response.NextPageToken);
    }

    /// <inheritdoc />
    public Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<LoggedModelTag> tags, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Patch, Path(modelId, "/tags"), new SetLoggedModelTagsRequest(modelId, tags.ToList()), ct);

    /// <inheritdoc />
    public Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken ct = default) =>
        transport.SendAsync<object>(() => new HttpRequestMessage(HttpMethod.Delete, Path(modelId, "/tags/" + Uri.EscapeDataString(key))), ct);

    /// <inheritdoc />
    public Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<LoggedModelParameter> @params, CancellationToken ct = default) =>
        transport.PostAsync<object>(Path(modelId, "/params"), new LogLoggedModelParamsRequest(modelId, @params.ToList()), ct);

    /// <inheritdoc />
    public Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken ct = default) =>
        transport.PostAsync<object>("api/2.0/mlflow/runs/outputs", new LogOutputsRequest(runId, models.ToList()), ct);
}
