using System.Globalization;

namespace Cairn.Search;

/// <summary>
/// How large one search may be. A search compiles to one SQL statement, and a hostile one could
/// pass the database's own limits (SQLite: 64 tables in a join, expressions 1,000 deep, 32,766
/// bound values; PostgreSQL: 65,535) and fail as an internal error. Within these limits the
/// worst statement joins 11 tables and binds about 2,300 values, well inside both; past them every
/// backend answers INVALID_PARAMETER_VALUE naming the limit. MLflow's own limit on max_results
/// (50,000) is on the queries themselves.
/// </summary>
public static class SearchLimits
{
    public const int MaxFilterLength = 100_000;
    public const int MaxComparisons = 100;
    /// <summary>Values in all the IN and NOT IN lists of one filter together.</summary>
    public const int MaxListValues = 1000;
    public const int MaxOrderByClauses = 10;
    public const int MaxExperimentIds = 1000;

    public static void CheckFilterLength(string filter)
    {
        if (filter.Length > MaxFilterLength)
            throw Exceeded($"The filter is {Number(filter.Length)} characters long", MaxFilterLength, "Shorten it.");
    }

    public static void CheckExperimentIds(int count)
    {
        if (count > MaxExperimentIds)
            throw Exceeded($"experiment_ids lists {Number(count)} experiments", MaxExperimentIds, "Search fewer experiments at a time.");
    }

    internal static CairnException TooManyComparisons() =>
        Exceeded("The filter has more comparisons than allowed", MaxComparisons, "Narrow the search with fewer conditions.");

    internal static CairnException TooManyListValues() =>
        Exceeded("The filter's IN lists hold more values than allowed", MaxListValues, "The count covers all the lists of one filter: search in several parts.");

    internal static CairnException TooManyOrderByClauses(int count) =>
        Exceeded($"order_by has {Number(count)} clauses", MaxOrderByClauses, "Order by fewer keys.");

    private static CairnException Exceeded(string what, int limit, string advice) =>
        CairnException.InvalidParameter($"{what}; the limit is {Number(limit)}. {advice}");

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
