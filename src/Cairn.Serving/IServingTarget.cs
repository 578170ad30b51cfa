using Microsoft.AspNetCore.Http;

namespace Cairn.Serving;

/// <summary>
/// What the protocol routes answer: one model (<see cref="ModelHost"/>), or an endpoint whose
/// router picks a variant per request. The routes ask <see cref="ServingTargets.ModelFor"/>, which
/// asks the target once per request and keeps the answer, so that the metrics, the handler and
/// the inference log all see the same choice.
/// </summary>
public interface IServingTarget
{
    /// <summary>The name answered on the model routes (<c>/v2/models/{name}</c>, <c>/v1/models/{name}</c>).</summary>
    string Name { get; }

    /// <summary>Every model currently served (for metrics and the model list).</summary>
    IReadOnlyList<ServedModel> Models { get; }

    /// <summary>Raised when a model is loaded and starts answering (a swap, a new variant).</summary>
    event Action<ServedModel>? Swapped;

    /// <summary>Chooses the model for a request; <paramref name="version"/> is the version a route names, if any.</summary>
    ServedModel Choose(HttpContext http, string? version);

    /// <summary>After a request was scored, with its rows and results (a router copies them to a shadow here). Must not throw or block.</summary>
    void Scored(HttpContext http, ServedModel model, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<IReadOnlyDictionary<string, object?>> results, double latencyMs) { }

    /// <summary>After a response was sent, with its status (errors are counted against the model chosen).</summary>
    void Completed(HttpContext http, ServedModel model, int status, double latencyMs) { }
}

public static class ServingTargets
{
    private const string ChosenKey = "cairn.model";
    /// <summary>Where a router puts the variant's name for the inference log and the metrics.</summary>
    public const string VariantKey = "cairn.variant";

    /// <summary>The model answering this request: chosen once, then the same every time it is asked.</summary>
    public static ServedModel ModelFor(this IServingTarget target, HttpContext http, string? version = null)
    {
        if (http.Items.TryGetValue(ChosenKey, out var chosen) && chosen is ServedModel model) return model;
        model = target.Choose(http, version);
        http.Items[ChosenKey] = model;
        return model;
    }

    /// <summary>The variant a router chose for this request, or null.</summary>
    public static string? VariantOf(HttpContext http) => http.Items.TryGetValue(VariantKey, out var v) ? v as string : null;
}
