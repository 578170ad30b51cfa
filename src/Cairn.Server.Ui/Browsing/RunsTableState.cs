using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Server.Ui.Browsing;

/// <summary>
/// Everything the runs table shows lives in its URL: filter, order, page token, page size and the
/// chosen columns. Links and forms rebuild it, so a view can be bookmarked, shared, and used
/// without JavaScript.
/// </summary>
public sealed partial record RunsTableState(string? Filter, string? Order, string? PageToken, IReadOnlyList<string> Columns, int PageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;
    public const string DefaultOrder = "attributes.start_time DESC";

    /// <summary>Reads the state from query values; an unusable page size is a user error.</summary>
    public static RunsTableState From(string? filter, string? order, string? pageToken, string[]? columns, string? size)
    {
        var pageSize = DefaultPageSize;
        if (!string.IsNullOrEmpty(size) && (!int.TryParse(size, out pageSize) || pageSize is < 1 or > MaxPageSize))
            throw CairnException.InvalidParameter($"Invalid page size '{size}': use a number from 1 to {MaxPageSize}.");
        var chosen = (columns ?? []).Where(c => c.StartsWith("params.", StringComparison.Ordinal) || c.StartsWith("metrics.", StringComparison.Ordinal) || c.StartsWith("tags.", StringComparison.Ordinal))
            .Distinct().ToList();
        return new RunsTableState(string.IsNullOrWhiteSpace(filter) ? null : filter.Trim(), string.IsNullOrWhiteSpace(order) ? null : order.Trim(),
            string.IsNullOrEmpty(pageToken) ? null : pageToken, chosen, pageSize);
    }

    public string EffectiveOrder => Order ?? DefaultOrder;

    /// <summary>The order-by clause for a column: <c>metrics.`a b`</c> quotes keys the filter language would split.</summary>
    public static string OrderKey(string column)
    {
        var dot = column.IndexOf('.');
        var (kind, key) = (column[..dot], column[(dot + 1)..]);
        return PlainKey().IsMatch(key) ? column : $"{kind}.`{key}`";
    }

    /// <summary>"ascending", "descending" or null: the aria-sort of a column header.</summary>
    public string? SortOf(string orderKey)
    {
        var order = EffectiveOrder;
        if (!order.StartsWith(orderKey, StringComparison.Ordinal)) return null;
        var rest = order[orderKey.Length..].Trim();
        if (rest.Length == 0 || rest.Equals("ASC", StringComparison.OrdinalIgnoreCase)) return "ascending";
        return rest.Equals("DESC", StringComparison.OrdinalIgnoreCase) ? "descending" : null;
    }

    /// <summary>The link that sorts by a column: descending first, then ascending. Sorting starts again at page one.</summary>
    public string SortLink(string experimentId, string orderKey) =>
        Link(experimentId, this with { Order = orderKey + (SortOf(orderKey) == "descending" ? " ASC" : " DESC"), PageToken = null });

    public string PageLink(string experimentId, string? pageToken) => Link(experimentId, this with { PageToken = pageToken });

    public static string Link(string experimentId, RunsTableState state)
    {
        var query = new StringBuilder();
        void Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        Add("filter", state.Filter);
        Add("order", state.Order);
        foreach (var column in state.Columns) Add("cols", column);
        if (state.PageSize != DefaultPageSize) Add("size", state.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("page", state.PageToken);
        return $"/experiments/{Uri.EscapeDataString(experimentId)}{query}";
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex PlainKey();
}
