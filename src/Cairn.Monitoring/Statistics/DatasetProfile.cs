namespace Cairn.Monitoring;

/// <summary>
/// The profiles of a dataset's columns by name and its row count: what a monitor keeps of a window or a reference.
/// Fed in columnar chunks (a Parquet row group at a time), merged across partials (hours into days), stored as JSON.
/// <code>
/// var profile = new DatasetProfile();
/// profile.AddRows(batch.Length);
/// profile.Numeric("distance").AddNumbers(distances);
/// profile.Categorical("origin").AddStrings(origins);
/// </code>
/// </summary>
public sealed class DatasetProfile
{
    private readonly Dictionary<string, NumericProfile> _numeric = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CategoricalProfile> _categorical = new(StringComparer.Ordinal);
    private readonly List<string> _columns = [];

    public long Rows { get; private set; }

    /// <summary>Column names in the order they were first added.</summary>
    public IReadOnlyList<string> Columns => _columns;
    public IReadOnlyDictionary<string, NumericProfile> NumericColumns => _numeric;
    public IReadOnlyDictionary<string, CategoricalProfile> CategoricalColumns => _categorical;

    public void AddRows(long rows)
    {
        if (rows < 0) throw CairnException.InvalidParameter($"A row count cannot be negative (got {rows}).");
        Rows += rows;
    }

    /// <summary>The numeric profile of a column, created on first use.</summary>
    public NumericProfile Numeric(string column)
    {
        if (_numeric.TryGetValue(column, out var profile)) return profile;
        if (_categorical.ContainsKey(column))
            throw CairnException.InvalidParameter($"Column '{column}' is already profiled as categorical; a column has one kind in a profile.");
        profile = new NumericProfile();
        _numeric[column] = profile;
        _columns.Add(column);
        return profile;
    }

    /// <summary>The categorical profile of a column, created on first use.</summary>
    public CategoricalProfile Categorical(string column)
    {
        if (_categorical.TryGetValue(column, out var profile)) return profile;
        if (_numeric.ContainsKey(column))
            throw CairnException.InvalidParameter($"Column '{column}' is already profiled as numeric; a column has one kind in a profile.");
        profile = new CategoricalProfile();
        _categorical[column] = profile;
        _columns.Add(column);
        return profile;
    }

    /// <summary>Adds another profile's rows and columns (the profile of both datasets' rows).</summary>
    public void Merge(DatasetProfile other)
    {
        if (ReferenceEquals(this, other)) throw new ArgumentException("A profile cannot be merged into itself; merge a copy.", nameof(other));
        Rows += other.Rows;
        foreach (var column in other._columns)
        {
            if (other._numeric.TryGetValue(column, out var numeric)) Numeric(column).Merge(numeric);
            else Categorical(column).Merge(other._categorical[column]);
        }
    }

    public string ToJson() => ProfileJson.Write(this);

    public static DatasetProfile FromJson(string json) => ProfileJson.Read(json);
}
