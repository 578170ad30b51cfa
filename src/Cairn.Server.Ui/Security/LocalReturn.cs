namespace Cairn.Server.Ui.Security;

/// <summary>Where the sign-in page may send the browser afterwards: a path on this server only, never another site.</summary>
public static class LocalReturn
{
    /// <summary>
    /// <paramref name="requested"/> when it is a local path ("/runs/abc?x=1"); "/" for anything
    /// else: absolute URLs, scheme-relative "//host", backslashes (browsers read "/\host" as
    /// "//host"), control characters and over-long values.
    /// </summary>
    public static string Of(string? requested)
    {
        if (string.IsNullOrEmpty(requested) || requested.Length > 2048 || requested[0] != '/') return "/";
        if (requested.Length > 1 && requested[1] is '/' or '\\') return "/";
        if (requested.Any(c => c == '\\' || char.IsControl(c))) return "/";
        return Uri.TryCreate(requested, UriKind.Relative, out _) ? requested : "/";
    }
}
