using System.Text.Json;
using Cairn.Features;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// Online features over HTTP: lookups at /api/2.0/cairn/features/online and at Feast's
/// /get-online-features (same request and answer, so Feast's HTTP clients work), and pushes.
/// </summary>
public static class OnlineFeaturesApi
{
    /// <summary>Maps the online feature endpoints onto <paramref name="service"/>.</summary>
    public static IEndpointRouteBuilder MapOnlineFeatureApi(this IEndpointRouteBuilder app, IOnlineFeatureService service)
    {
        Func<HttpContext, Task<IResult>> lookUp = async http =>
        {
            var body = await ApiIo.ReadBodyAsync<GetOnlineFeaturesRequest>(http, FeatureJson.Strict);
            var entities = body.Entities ?? throw JsonFieldErrors.Missing("entities");
            var request = new OnlineFeatureRequest(
                body.Features?.Select(f => FeatureReference.Parse(f)).ToList(),
                body.FeatureService,
                entities.ToDictionary(e => e.Key, e => (IReadOnlyList<object?>)(e.Value ?? []).Select(v => (object?)v).ToList(), StringComparer.Ordinal),
                body.FullFeatureNames ?? false);
            return ApiIo.Json(GetOnlineFeaturesResponse.From(await service.GetOnlineFeaturesAsync(request, http.RequestAborted)));
        };

        app.MapPost("/api/2.0/cairn/features/online", lookUp).Requires(Access.Server(Need.Read)).WithTags("Features").Accepts<GetOnlineFeaturesRequest>("application/json").Produces<GetOnlineFeaturesResponse>();
        app.MapPost("/get-online-features", lookUp).Requires(Access.Server(Need.Read)).WithTags("Features").Accepts<GetOnlineFeaturesRequest>("application/json").Produces<GetOnlineFeaturesResponse>();

        app.MapPost("/api/2.0/cairn/features/push", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<PushFeaturesRequest>(http, FeatureJson.Strict);
            var view = body.FeatureView ?? throw JsonFieldErrors.Missing("feature_view");
            var rows = (body.Rows ?? throw JsonFieldErrors.Missing("rows"))
                .Select(r => (IReadOnlyDictionary<string, object?>)(r ?? throw CairnException.InvalidParameter("A pushed row is null."))
                    .ToDictionary(c => c.Key, c => (object?)c.Value, StringComparer.Ordinal)).ToList();
            var result = await service.PushAsync(view, rows, http.RequestAborted);
            return ApiIo.Json(new PushFeaturesResponse(result.View, result.Rows, result.OnlineWritten));
        }).Requires(Access.Server(Need.Update)).WithTags("Features").Accepts<PushFeaturesRequest>("application/json").Produces<PushFeaturesResponse>();
        return app;
    }
}
