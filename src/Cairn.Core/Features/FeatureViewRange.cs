using System.Globalization;

namespace Cairn.Features;

/// <summary>
/// A feature view's rows in an event interval, as a monitor's reference names them:
/// <c>features:/view[@N]</c>, optionally followed by <c>?start=&lt;instant&gt;</c> and/or <c>&amp;end=&lt;instant&gt;</c>
/// (events from start, before end; UTC when no offset is given).
/// </summary>
public sealed record FeatureViewRange(FeatureUri View, DateTimeOffset? Start, DateTimeOffset? End)
{
    /// <summary>Reads <c>features:/view[@N][?start=..&amp;end=..]</c>.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad URI, an unknown key, a value that is not an instant, or an empty interval.</exception>
    public static FeatureViewRange Parse(string text)
    {
        var query = text.IndexOf('?', StringComparison.Ordinal);
        var view = FeatureUri.Parse(query < 0 ? text : text[..query]);
        DateTimeOffset? start = null, end = null;
        foreach (var pair in query < 0 ? [] : text[(query + 1)..].Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (key is not ("start" or "end") || (key == "start" ? start : end) is not null
                || !DateTimeOffset.TryParse(pair[(eq + 1)..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
                throw CairnException.InvalidParameter($"Invalid reference '{text}': after '?' give start=<instant> and/or end=<instant> once each, such as {view}?start=2024-01-01&end=2024-02-01.");
            if (key == "start") start = instant; else end = instant;
        }
        if (start is { } s && end is { } e && e <= s)
            throw CairnException.InvalidParameter($"Invalid reference '{text}': the interval's end is not after its start.");
        return new FeatureViewRange(view, start, end);
    }

    /// <summary>The canonical text: the URI, then the instants in ISO 8601 UTC.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Start is { } s) parts.Add("start=" + s.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        if (End is { } e) parts.Add("end=" + e.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        return View + (parts.Count == 0 ? "" : "?" + string.Join("&", parts));
    }
}
