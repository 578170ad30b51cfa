using System.Text.Json;
using Cairn.Tracking;

namespace Cairn.Protocol;

// Request and response bodies of MLflow 3's logged-model API (service.proto: CreateLoggedModel,
// GetLoggedModel, FinalizeLoggedModel, SearchLoggedModels, SetLoggedModelTags,
// LogLoggedModelParamsRequest, ListLoggedModelArtifacts, LogOutputs).

public sealed record CreateLoggedModelRequest(string? ExperimentId, string? Name, string? ModelType, string? SourceRunId,
    List<LoggedModelParameter>? Params, List<LoggedModelTag>? Tags);

/// <remarks><c>status</c> is read as MLflow's enum name (LOGGED_MODEL_READY) or its number (2): clients send either.</remarks>
public sealed record FinalizeLoggedModelRequest(string? ModelId, JsonElement? Status);

public sealed record SearchLoggedModelsRequest(List<string>? ExperimentIds, string? Filter, List<LoggedModelDataset>? Datasets,
    long? MaxResults, List<LoggedModelOrderBy>? OrderBy, string? PageToken);

public sealed record SetLoggedModelTagsRequest(string? ModelId, List<LoggedModelTag>? Tags);

public sealed record LogLoggedModelParamsRequest(string? ModelId, List<LoggedModelParameter>? Params);

public sealed record LogOutputsRequest(string? RunId, List<LoggedModelOutput>? Models);

public sealed record LoggedModelResponse(LoggedModel Model);

public sealed record SearchLoggedModelsResponse(IReadOnlyList<LoggedModel> Models, string? NextPageToken);
