using System.Text;
using Cairn.Storage.Sql;

namespace Cairn.Storage.Sqlite;

/// <summary>SQLite's SQL: LIKE ignores ASCII case, so MLflow's case-sensitive LIKE becomes GLOB.</summary>
public static class SqliteDialect
{
    public static SqlDialect Instance { get; } = new(
        "sqlite",
        CaseSensitiveLike: (column, pattern) => $"{column} GLOB {pattern}",
        CaseInsensitiveLike: (column, pattern) => $"{column} LIKE {pattern}",
        CaseSensitivePattern: LikeToGlob,
        ForUpdate: "", // a write transaction already holds the database's single write lock
        NextExperimentId: "SELECT COALESCE(MAX(experiment_id), 0) + 1 FROM experiments");

    /// <summary>Turns a SQL LIKE pattern into a case-sensitive GLOB pattern with the same meaning.</summary>
    public static string LikeToGlob(string like)
    {
        var sb = new StringBuilder(like.Length + 8);
        foreach (var ch in like)
        {
            sb.Append(ch switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }
}
