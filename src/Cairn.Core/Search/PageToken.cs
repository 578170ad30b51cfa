using System.Text;

namespace Cairn.Search;

/// <summary>Opaque page tokens: the offset of the next page, base64-encoded as MLflow does.</summary>
public static class PageToken
{
    private const string Prefix = "offset:";

    public static string Encode(long offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + offset));

    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) &&
                long.TryParse(text.AsSpan(Prefix.Length), out var offset) && offset >= 0)
                return offset;
        }
        catch (FormatException) { }
        throw CairnException.InvalidParameter($"Invalid page token '{token}': pass the next_page_token of a previous response unchanged.");
    }

    /// <summary>The token for the page after one that started at <paramref name="offset"/>, or null when it was the last.</summary>
    public static string? Next(long offset, int pageSize, bool more) => more ? Encode(offset + pageSize) : null;
}
