namespace Cairn.Monitoring;

/// <summary>How a column is compared: <c>numeric</c> or <c>categorical</c> (the <c>kind</c> of <see cref="FeatureDriftSettings"/>).</summary>
public static class ColumnKinds
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";
}
