using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Registry;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/mlflow/registered-models/* and /api/2.0/mlflow/model-versions/*, as MLflow serves them.</summary>
public static class RegistryApi
{
    /// <param name="loggedModels">Resolves <c>models:/&lt;logged model id&gt;</c> sources to the model's files (MLflow 3); null: such sources are handed out as they are.</param>
    /// <param name="protectedAliases">On a server with sign-in: the aliases that move only with a second person's approval (<see cref="FourEyes"/>); null: no such rights (no sign-in).</param>
    /// <param name="time">The clock the audit trail's records are stamped with when <paramref name="protectedAliases"/> is given.</param>
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app, IRegistryStore registry, ITrackingStore tracking, ILoggedModelStore? loggedModels = null,
        IReadOnlyList<string>? protectedAliases = null, TimeProvider? time = null)
    {
        var guard = protectedAliases is null ? null : new ProtectedAliasGuard(registry, protectedAliases, time ?? TimeProvider.System);
        var models = app.MapGroup("/api/2.0/mlflow/registered-models").WithTags("Registered models");

        models.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateRegisteredModelRequest>(http);
            var model = await registry.CreateRegisteredModelAsync(ApiIo.Require(body.Name, "name"), body.Description, body.Tags, http.RequestAborted);
            await http.CreatedAsync(ResourceTypes.RegisteredModel, model.Name);
            return ApiIo.Json(new RegisteredModelResponse(model));
        }).Requires(Access.SignedIn).Accepts<CreateRegisteredModelRequest>("application/json").Produces<RegisteredModelResponse>();

        models.MapGet("/get", async (HttpContext http) =>
        {
            var model = await registry.GetRegisteredModelAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted);
            return ApiIo.Json(new RegisteredModelResponse(model));
        }).Requires(Access.RegisteredModel(Need.Read, Field.Query("name"))).Produces<RegisteredModelResponse>();

        models.MapPost("/rename", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RenameRegisteredModelRequest>(http);
            var model = await registry.RenameRegisteredModelAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.NewName, "new_name"), http.RequestAborted);
            await http.RenamedAsync(ResourceTypes.RegisteredModel, body.Name!, model.Name);
            return ApiIo.Json(new RegisteredModelResponse(model));
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<RenameRegisteredModelRequest>("application/json").Produces<RegisteredModelResponse>();

        models.MapPatch("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<UpdateRegisteredModelRequest>(http);
            var model = await registry.UpdateRegisteredModelAsync(ApiIo.Require(body.Name, "name"), body.Description, http.RequestAborted);
            return ApiIo.Json(new RegisteredModelResponse(model));
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<UpdateRegisteredModelRequest>("application/json").Produces<RegisteredModelResponse>();

        models.MapDelete("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<RegisteredModelNameRequest>(http);
            await registry.DeleteRegisteredModelAsync(ApiIo.Require(body.Name, "name"), http.RequestAborted);
            await http.DeletedAsync(ResourceTypes.RegisteredModel, body.Name!);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Manage, Field.BodyOrQuery("name")));

        models.MapGet("/search", async (HttpContext http) =>
        {
            var query = Query(http, RegistryQuery.DefaultMaxResults);
            var page = await VisibleSearch.SearchAsync(http, ResourceTypes.RegisteredModel, (RegisteredModel m) => m.Name, query.MaxResults, query.PageToken,
                (max, token) => registry.SearchRegisteredModelsAsync(query with { MaxResults = max, PageToken = token }, http.RequestAborted));
            return ApiIo.Json(new SearchRegisteredModelsResponse(page.Items, page.NextPageToken));
        }).Requires(Access.SignedIn).Produces<SearchRegisteredModelsResponse>();

        models.MapMethods("/get-latest-versions", ["GET", "POST"], async (HttpContext http) =>
        {
            // A GET names the stages in the query string, repeated (stages=Staging&stages=Production).
            var body = HttpMethods.IsGet(http.Request.Method)
                ? new GetLatestVersionsRequest(ApiIo.Query(http, "name"), http.Request.Query["stages"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList())
                : await ApiIo.ReadBodyOrQueryAsync<GetLatestVersionsRequest>(http);
            var model = await registry.GetRegisteredModelAsync(ApiIo.Require(body.Name, "name"), http.RequestAborted);
            var stages = body.Stages is { Count: > 0 } s ? s.Select(ModelStages.Canonical).ToHashSet() : null;
            return ApiIo.Json(new ModelVersionsResponse(model.LatestVersions.Where(v => stages is null || stages.Contains(v.CurrentStage)).ToList()));
        }).Requires(Access.RegisteredModel(Need.Read, Field.BodyOrQuery("name"))).Produces<ModelVersionsResponse>();

        models.MapPost("/set-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RegisteredModelTagRequest>(http);
            await registry.SetRegisteredModelTagAsync(ApiIo.Require(body.Name, "name"), new RegisteredModelTag(ApiIo.Require(body.Key, "key"), body.Value ?? ""), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<RegisteredModelTagRequest>("application/json");

        models.MapDelete("/delete-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<RegisteredModelTagRequest>(http);
            await registry.DeleteRegisteredModelTagAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Key, "key"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.BodyOrQuery("name")));

        models.MapPost("/alias", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<AliasRequest>(http);
            var (name, alias, version) = (ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Alias, "alias"), ApiIo.Require(body.Version, "version"));
            await RequireTaggedSignatureAsync(registry, name, alias, version, http.RequestAborted);
            Task Move() => registry.SetAliasAsync(name, alias, version, http.RequestAborted);
            if (guard?.Protects(alias) == true) await guard.MoveAsync(http, name, alias, version, removal: false, Move);
            else await Move();
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<AliasRequest>("application/json");

        models.MapDelete("/alias", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<AliasRequest>(http);
            var (name, alias) = (ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Alias, "alias"));
            Task Remove() => registry.DeleteAliasAsync(name, alias, http.RequestAborted);
            // The removal is judged against the version the alias points at; an alias that is not there is the store's 404.
            if (guard?.Protects(alias) == true) await guard.MoveAsync(http, name, alias, (await registry.GetModelVersionByAliasAsync(name, alias, http.RequestAborted)).Version, removal: true, Remove);
            else await Remove();
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.BodyOrQuery("name")));

        models.MapGet("/alias", async (HttpContext http) =>
        {
            var version = await registry.GetModelVersionByAliasAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), ApiIo.Require(ApiIo.Query(http, "alias"), "alias"), http.RequestAborted);
            return ApiIo.Json(new ModelVersionResponse(version));
        }).Requires(Access.RegisteredModel(Need.Read, Field.Query("name"))).Produces<ModelVersionResponse>();

        var versions = app.MapGroup("/api/2.0/mlflow/model-versions").WithTags("Model versions");

        versions.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateModelVersionRequest>(http);
            var version = await registry.CreateModelVersionAsync(new NewModelVersion(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Source, "source"),
                body.RunId, body.Description, body.UserId ?? http.User.Identity?.Name, body.Tags, body.RunLink, body.ModelId), http.RequestAborted);
            return ApiIo.Json(new ModelVersionResponse(version));
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<CreateModelVersionRequest>("application/json").Produces<ModelVersionResponse>();

        versions.MapGet("/get", async (HttpContext http) =>
        {
            var version = await registry.GetModelVersionAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"),
                ApiIo.Require(ApiIo.Query(http, "version"), "version"), http.RequestAborted);
            return ApiIo.Json(new ModelVersionResponse(version));
        }).Requires(Access.RegisteredModel(Need.Read, Field.Query("name"))).Produces<ModelVersionResponse>();

        versions.MapPatch("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<UpdateModelVersionRequest>(http);
            var version = await registry.UpdateModelVersionAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Version, "version"), body.Description, http.RequestAborted);
            return ApiIo.Json(new ModelVersionResponse(version));
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<UpdateModelVersionRequest>("application/json").Produces<ModelVersionResponse>();

        versions.MapDelete("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<ModelVersionKeyRequest>(http);
            await registry.DeleteModelVersionAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Version, "version"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Manage, Field.BodyOrQuery("name")));

        versions.MapGet("/search", async (HttpContext http) =>
        {
            var query = Query(http, RegistryQuery.DefaultMaxVersionResults);
            var page = await VisibleSearch.SearchAsync(http, ResourceTypes.RegisteredModel, (ModelVersion v) => v.Name, query.MaxResults, query.PageToken,
                (max, token) => registry.SearchModelVersionsAsync(query with { MaxResults = max, PageToken = token }, http.RequestAborted));
            return ApiIo.Json(new SearchModelVersionsResponse(page.Items, page.NextPageToken));
        }).Requires(Access.SignedIn).Produces<SearchModelVersionsResponse>();

        // Deprecated in MLflow (aliases replace stages) but still served by its server and called by its clients.
        versions.MapPost("/transition-stage", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<TransitionModelVersionStageRequest>(http);
            var version = await registry.TransitionModelVersionStageAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Version, "version"),
                ApiIo.Require(body.Stage, "stage"), body.ArchiveExistingVersions ?? false, http.RequestAborted);
            return ApiIo.Json(new ModelVersionResponse(version));
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<TransitionModelVersionStageRequest>("application/json").Produces<ModelVersionResponse>();

        versions.MapGet("/get-download-uri", async (HttpContext http) =>
        {
            var version = await registry.GetModelVersionAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), ApiIo.Require(ApiIo.Query(http, "version"), "version"), http.RequestAborted);
            if (loggedModels is not null && LoggedModelIds.FromUri(version.Source) is { } modelId)
                return ApiIo.Json(new DownloadUriResponse((await loggedModels.GetLoggedModelAsync(modelId, http.RequestAborted)).Info.ArtifactUri));
            return ApiIo.Json(new DownloadUriResponse(await ModelSources.ToArtifactUriAsync(version.Source, tracking, registry, http.RequestAborted)));
        }).Requires(Access.RegisteredModel(Need.Read, Field.Query("name"))).Produces<DownloadUriResponse>();

        versions.MapPost("/set-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ModelVersionTagRequest>(http);
            await registry.SetModelVersionTagAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Version, "version"),
                new ModelVersionTag(ApiIo.Require(body.Key, "key"), body.Value ?? ""), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<ModelVersionTagRequest>("application/json");

        versions.MapDelete("/delete-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyOrQueryAsync<ModelVersionTagRequest>(http);
            await registry.DeleteModelVersionTagAsync(ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Version, "version"), ApiIo.Require(body.Key, "key"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.BodyOrQuery("name")));

        // Cairn's audit trail of promotions and approvals (MLflow has no equivalent).
        var audit = app.MapGroup("/api/2.0/cairn/registry").WithTags("Registry audit trail");
        audit.MapPost("/transitions", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ModelTransition>(http);
            ApiIo.Require(body.Name, "name");
            ApiIo.Require(body.Version, "version");
            ModelTransition? transition = body with { Id = string.IsNullOrEmpty(body.Id) ? Ids.NewId() : body.Id, Alias = body.Alias ?? "" };
            if (guard is not null) transition = await guard.AdmitAsync(http, transition);
            if (transition is not null) await registry.AddTransitionAsync(transition, http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.RegisteredModel(Need.Update, Field.Body("name"))).Accepts<ModelTransition>("application/json");
        audit.MapGet("/transitions", async (HttpContext http) =>
        {
            var transitions = await registry.ListTransitionsAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), ApiIo.Query(http, "version"), http.RequestAborted);
            return ApiIo.Json(new TransitionsResponse(transitions));
        }).Requires(Access.RegisteredModel(Need.Read, Field.Query("name"))).Produces<TransitionsResponse>();

        return app;
    }

    /// <remarks>The store checks max_results against MLflow's limits, in MLflow's words.</remarks>
    private static RegistryQuery Query(HttpContext http, int defaultMaxResults) => new(
        ApiIo.Query(http, "filter"),
        ApiIo.QueryInt(http, "max_results") ?? defaultMaxResults,
        http.Request.Query.TryGetValue("order_by", out var order) ? order.Where(o => o is not null).Select(o => o!).ToList() : null,
        ApiIo.Query(http, "page_token"));

    /// <summary>
    /// A signed-only alias (<see cref="SignaturePolicy"/>): the server holds no keys, so it checks the
    /// version's signer tag; the SDK and `cairn serve --require-signature` check the signature itself.
    /// A missing model or version is left to SetAliasAsync, which says which one, as before.
    /// </summary>
    private static async Task RequireTaggedSignatureAsync(IRegistryStore registry, string name, string alias, string version, CancellationToken ct)
    {
        RegisteredModel model;
        ModelVersion target;
        try
        {
            model = await registry.GetRegisteredModelAsync(name, ct);
            if (SignaturePolicy.Required(model, alias) is null) return;
            target = await registry.GetModelVersionAsync(name, version, ct);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return;
        }
        SignaturePolicy.RequireTaggedSignature(model, alias, target);
    }
}
