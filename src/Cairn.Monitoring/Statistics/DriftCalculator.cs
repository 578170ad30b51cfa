using System.Globalization;

namespace Cairn.Monitoring;

/// <summary>
/// Compares a current <see cref="DatasetProfile"/> with a reference one: per column the test that fits its kind, decided
/// against its threshold, and the dataset verdict by the share of drifted columns. Defaults follow Evidently: with a
/// reference of at most <see cref="SmallSampleRows"/> rows KS (numbers) or chi-square (categories) at p &lt; 0.05, above
/// that normalised Wasserstein or Jensen–Shannon at ≥ 0.1; PSI at ≥ 0.2; the dataset drifts when half the columns do.
/// </summary>
public static class DriftCalculator
{
    public const int SmallSampleRows = 1000;
    public const double DefaultPValue = 0.05;
    public const double DefaultDistance = 0.1;
    public const double DefaultPsi = 0.2;
    public const int PsiBins = 10;

    /// <param name="features">Columns to compare; null: every column both profiles have, in the reference's order. A listed column one profile lacks is reported as no data.</param>
    public static DriftReport Compare(DatasetProfile reference, DatasetProfile current, DriftSettings? settings = null, IReadOnlyList<string>? features = null)
    {
        settings ??= new DriftSettings();
        Validate(settings);
        var columns = features ?? SharedColumns(reference, current);
        var results = new List<FeatureDrift>(columns.Count);
        int compared = 0, drifted = 0;
        foreach (var column in columns)
        {
            var perFeature = settings.PerFeature is not null && settings.PerFeature.TryGetValue(column, out var f) ? f : null;
            var kind = perFeature?.Kind ?? KindOf(reference, current, column);
            // As Evidently: numbers with at most 5 distinct values (both sides together) are compared as categories
            // unless a method or kind was chosen.
            if (kind == ColumnKinds.Numeric && perFeature?.Kind is null && perFeature?.Method is null && settings.Method is null
                && FewValues(reference, current, column))
                kind = ColumnKinds.Categorical;
            var result = kind == ColumnKinds.Numeric
                ? CompareNumeric(column, NumericOf(reference, column), NumericOf(current, column), settings, perFeature)
                : CompareCategorical(column, CategoricalOf(reference, column), CategoricalOf(current, column), settings, perFeature);
            results.Add(result);
            if (result.Verdict == DriftVerdicts.NoData) continue;
            compared++;
            if (result.Drifted) drifted++;
        }
        var share = compared == 0 ? double.NaN : (double)drifted / compared;
        var dataset = new DatasetDrift(share, drifted, compared, settings.DriftShare, compared > 0 && share >= settings.DriftShare);
        return new DriftReport(reference.Rows, current.Rows, results, dataset);
    }

    /// <summary>The PSI and Jensen–Shannon bins of a numeric reference: its deciles snapped to bucket boundaries, as values (bins (−∞, e₁], …, (eₖ, +∞)), so <see cref="ExactDrift"/> can use the same bins.</summary>
    public static double[] PsiEdges(NumericProfile reference)
    {
        var edges = new NumericSketch(reference).DecileEdges(PsiBins);
        var values = new double[edges.Length];
        for (var i = 0; i < edges.Length; i++) values[i] = NumericSketch.EdgeValue(edges[i]);
        return values;
    }

    private static FeatureDrift CompareNumeric(string column, NumericProfile reference, NumericProfile current, DriftSettings settings, FeatureDriftSettings? perFeature)
    {
        var method = MethodFor(column, ColumnKinds.Numeric, reference.Rows, settings, perFeature);
        var threshold = perFeature?.Threshold ?? settings.Threshold ?? DefaultThreshold(method);
        var r = new NumericSketch(reference);
        var c = new NumericSketch(current);
        var histogram = NumericComparison.Histogram(r, c, reference, current);
        if (r.Total == 0 || c.Total == 0)
            return NoData(column, ColumnKinds.Numeric, method, threshold, reference.Rows, current.Rows, reference.Missing, current.Missing, histogram);

        var statistics = new Dictionary<string, double>(StringComparer.Ordinal);
        var bounds = new Dictionary<string, double>(StringComparer.Ordinal);
        var (ks, ksBound) = NumericComparison.KolmogorovSmirnov(r, c);
        statistics["ks"] = ks;
        statistics["ks_pvalue"] = KolmogorovDistribution.TwoSamplePValue(ks, r.Total, c.Total);
        bounds["ks"] = ksBound;
        // p falls as D rises: the p-value of the upper end of D's interval bounds how far p can be off.
        bounds["ks_pvalue"] = statistics["ks_pvalue"] - KolmogorovDistribution.TwoSamplePValue(ks + ksBound, r.Total, c.Total);
        var (distance, distanceBound) = NumericComparison.Wasserstein(r, c);
        var deviation = reference.StandardDeviation;
        statistics["wasserstein"] = DriftFormulas.NormalizeWasserstein(distance, deviation);
        bounds["wasserstein"] = deviation > 0 ? distanceBound / deviation : distanceBound == 0 ? 0 : double.PositiveInfinity;
        var edges = r.DecileEdges(PsiBins);
        var (rBins, cBins) = (r.BinCounts(edges), c.BinCounts(edges));
        statistics["psi"] = DriftFormulas.Psi(rBins, cBins);
        bounds["psi"] = 0;
        statistics["jensenshannon"] = DriftFormulas.JensenShannon(rBins, cBins);
        bounds["jensenshannon"] = 0;
        return Decide(column, ColumnKinds.Numeric, method, threshold, statistics, bounds,
            reference.Rows, current.Rows, reference.Missing, current.Missing, histogram);
    }

    private static FeatureDrift CompareCategorical(string column, CategoricalProfile reference, CategoricalProfile current, DriftSettings settings, FeatureDriftSettings? perFeature)
    {
        var method = MethodFor(column, ColumnKinds.Categorical, reference.Rows, settings, perFeature);
        var threshold = perFeature?.Threshold ?? settings.Threshold ?? DefaultThreshold(method);
        var (categories, rCounts, cCounts) = Align(reference, current);
        var histogram = CategoricalHistogram(categories, rCounts, cCounts);
        if (reference.Count == 0 || current.Count == 0)
            return NoData(column, ColumnKinds.Categorical, method, threshold, reference.Rows, current.Rows, reference.Missing, current.Missing, histogram);
        var statistics = new Dictionary<string, double>(StringComparer.Ordinal);
        (statistics["chisquare"], statistics["chisquare_pvalue"]) = DriftFormulas.ChiSquare(rCounts, cCounts);
        statistics["psi"] = DriftFormulas.Psi(rCounts, cCounts);
        statistics["jensenshannon"] = DriftFormulas.JensenShannon(rCounts, cCounts);
        // Exact below the cap; past it the rows of unkept values are pooled into one "(other)" category on each side.
        var exact = reference.Other == 0 && current.Other == 0 ? 0 : double.NaN;
        var bounds = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["chisquare"] = exact, ["chisquare_pvalue"] = exact, ["psi"] = exact, ["jensenshannon"] = exact,
        };
        return Decide(column, ColumnKinds.Categorical, method, threshold, statistics, bounds,
            reference.Rows, current.Rows, reference.Missing, current.Missing, histogram);
    }

    private static FeatureDrift Decide(string column, string kind, string method, double threshold,
        Dictionary<string, double> statistics, Dictionary<string, double> bounds,
        long referenceRows, long currentRows, long referenceMissing, long currentMissing, DisplayHistogram histogram)
    {
        var isTest = method is DriftMethods.KolmogorovSmirnov or DriftMethods.ChiSquare;
        var statistic = statistics[method];
        double? pValue = isTest ? statistics[method + "_pvalue"] : null;
        var drifted = isTest ? pValue < threshold : statistic >= threshold;
        var bound = bounds.TryGetValue(method, out var b) ? b : 0;
        return new FeatureDrift(column, kind, method, statistic, pValue, threshold, drifted,
            drifted ? DriftVerdicts.Drifted : DriftVerdicts.NotDrifted, statistics, bound, bounds,
            referenceRows, currentRows, referenceMissing, currentMissing, histogram);
    }

    private static FeatureDrift NoData(string column, string kind, string method, double threshold,
        long referenceRows, long currentRows, long referenceMissing, long currentMissing, DisplayHistogram histogram) =>
        new(column, kind, method, double.NaN, null, threshold, false, DriftVerdicts.NoData,
            new Dictionary<string, double>(), double.NaN, new Dictionary<string, double>(),
            referenceRows, currentRows, referenceMissing, currentMissing, histogram);

    private static string MethodFor(string column, string kind, long referenceRows, DriftSettings settings, FeatureDriftSettings? perFeature)
    {
        if (perFeature?.Method is { } chosen)
        {
            if (!Fits(chosen, kind))
                throw CairnException.InvalidParameter(
                    $"Drift method '{chosen}' does not apply to {kind} column '{column}': use {(kind == ColumnKinds.Numeric ? "ks, wasserstein, psi or jensenshannon" : "chisquare, psi or jensenshannon")}, or set its kind.");
            return chosen;
        }
        // A method set for every column applies where it fits the column's kind; the others keep their default.
        if (settings.Method is { } global && Fits(global, kind)) return global;
        var small = referenceRows <= SmallSampleRows;
        return kind == ColumnKinds.Numeric
            ? small ? DriftMethods.KolmogorovSmirnov : DriftMethods.Wasserstein
            : small ? DriftMethods.ChiSquare : DriftMethods.JensenShannon;
    }

    private static bool Fits(string method, string kind) => kind == ColumnKinds.Numeric
        ? method is DriftMethods.KolmogorovSmirnov or DriftMethods.Wasserstein or DriftMethods.Psi or DriftMethods.JensenShannon
        : method is DriftMethods.ChiSquare or DriftMethods.Psi or DriftMethods.JensenShannon;

    public static double DefaultThreshold(string method) => method switch
    {
        DriftMethods.KolmogorovSmirnov or DriftMethods.ChiSquare => DefaultPValue,
        DriftMethods.Psi => DefaultPsi,
        _ => DefaultDistance,
    };

    private static void Validate(DriftSettings settings)
    {
        if (!(settings.DriftShare > 0 && settings.DriftShare <= 1))
            throw CairnException.InvalidParameter($"drift_share must be above 0 and at most 1 (got {settings.DriftShare}).");
        CheckMethod(settings.Method, "drift.method");
        CheckThreshold(settings.Threshold, "drift.threshold");
        if (settings.PerFeature is null) return;
        foreach (var (column, feature) in settings.PerFeature)
        {
            CheckMethod(feature.Method, $"drift.per_feature.{column}.method");
            CheckThreshold(feature.Threshold, $"drift.per_feature.{column}.threshold");
            if (feature.Kind is not null and not (ColumnKinds.Numeric or ColumnKinds.Categorical))
                throw CairnException.InvalidParameter($"drift.per_feature.{column}.kind is '{feature.Kind}'; use numeric or categorical.");
        }
    }

    private static void CheckMethod(string? method, string where)
    {
        if (method is not null && !DriftMethods.All.Contains(method))
            throw CairnException.InvalidParameter($"{where} is '{method}'; use one of {string.Join(", ", DriftMethods.All)}.");
    }

    private static void CheckThreshold(double? threshold, string where)
    {
        if (threshold is { } t && !(double.IsFinite(t) && t >= 0))
            throw CairnException.InvalidParameter($"{where} must be a finite number at least 0 (got {t}).");
    }

    private static List<string> SharedColumns(DatasetProfile reference, DatasetProfile current)
    {
        var shared = new List<string>();
        foreach (var column in reference.Columns)
            if (current.NumericColumns.ContainsKey(column) || current.CategoricalColumns.ContainsKey(column)) shared.Add(column);
        return shared;
    }

    public const int FewValuesAsCategories = 5;

    private static bool FewValues(DatasetProfile reference, DatasetProfile current, string column)
    {
        if (!reference.NumericColumns.TryGetValue(column, out var r) || r.DistinctValues is not { } rValues) return false;
        if (!current.NumericColumns.TryGetValue(column, out var c) || c.DistinctValues is not { } cValues) return false;
        if (rValues.Count == 0 || cValues.Count == 0) return false;
        var union = rValues.Count;
        foreach (var value in cValues.Keys)
            if (!rValues.ContainsKey(value)) union++;
        return union <= FewValuesAsCategories;
    }

    private static string KindOf(DatasetProfile reference, DatasetProfile current, string column)
    {
        if (reference.CategoricalColumns.ContainsKey(column)) return ColumnKinds.Categorical;
        if (reference.NumericColumns.ContainsKey(column)) return ColumnKinds.Numeric;
        return current.CategoricalColumns.ContainsKey(column) ? ColumnKinds.Categorical : ColumnKinds.Numeric;
    }

    /// <summary>A column as numbers: its numeric profile, or its categories parsed as numbers (kind override).</summary>
    internal static NumericProfile NumericOf(DatasetProfile profile, string column)
    {
        if (profile.NumericColumns.TryGetValue(column, out var numeric)) return numeric;
        var result = new NumericProfile();
        if (!profile.CategoricalColumns.TryGetValue(column, out var categorical)) return result;
        if (categorical.Other > 0)
            throw CairnException.InvalidParameter($"Column '{column}' has more than {CategoricalProfile.MaxDistinct} distinct values; it cannot be compared as numbers from its category counts. Profile it as numeric.");
        foreach (var (value, count) in categorical.Counts)
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                throw CairnException.InvalidParameter($"Column '{column}' has kind numeric but holds '{value}', which is not a number; remove the kind override or clean the column.");
            result.AddNumber(number, count);
        }
        result.AddMissing(categorical.Missing);
        result.AddTypeViolations(categorical.TypeViolations);
        return result;
    }

    /// <summary>A column as categories: its categorical profile, or the exact values of a numeric one (kind override).</summary>
    internal static CategoricalProfile CategoricalOf(DatasetProfile profile, string column)
    {
        if (profile.CategoricalColumns.TryGetValue(column, out var categorical)) return categorical;
        var result = new CategoricalProfile();
        if (!profile.NumericColumns.TryGetValue(column, out var numeric)) return result;
        if (numeric.DistinctValues is not { } distinct)
            throw CairnException.InvalidParameter($"Column '{column}' has kind categorical but more than {NumericProfile.MaxDistinct} distinct numbers; compare it as numeric.");
        foreach (var (value, count) in distinct) result.AddString(value.ToString("R", CultureInfo.InvariantCulture), count);
        result.AddMissing(numeric.Missing);
        result.AddTypeViolations(numeric.TypeViolations);
        return result;
    }

    public const string OtherCategory = "(other)";

    private static (List<string> Categories, long[] Reference, long[] Current) Align(CategoricalProfile reference, CategoricalProfile current)
    {
        var categories = new List<string>(reference.Counts.Count + 1);
        var r = new List<long>();
        var c = new List<long>();
        foreach (var (value, count) in reference.Counts)
        {
            categories.Add(value);
            r.Add(count);
            c.Add(current.Counts.TryGetValue(value, out var n) ? n : 0);
        }
        foreach (var (value, count) in current.Counts)
        {
            if (reference.Counts.ContainsKey(value)) continue;
            categories.Add(value);
            r.Add(0);
            c.Add(count);
        }
        if (reference.Other > 0 || current.Other > 0)
        {
            categories.Add(OtherCategory);
            r.Add(reference.Other);
            c.Add(current.Other);
        }
        return (categories, r.ToArray(), c.ToArray());
    }

    private static DisplayHistogram CategoricalHistogram(List<string> categories, long[] r, long[] c)
    {
        long rTotal = 0, cTotal = 0;
        for (var i = 0; i < r.Length; i++) { rTotal += r[i]; cTotal += c[i]; }
        var order = new int[categories.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            var byCount = (r[b] + c[b]).CompareTo(r[a] + c[a]);
            return byCount != 0 ? byCount : string.CompareOrdinal(categories[a], categories[b]);
        });
        var shown = order.Length <= 20 ? order.Length : 19;
        var labels = new List<string>(shown + 1);
        var rShares = new List<double>(shown + 1);
        var cShares = new List<double>(shown + 1);
        for (var k = 0; k < shown; k++)
        {
            labels.Add(categories[order[k]]);
            rShares.Add(rTotal == 0 ? 0 : (double)r[order[k]] / rTotal);
            cShares.Add(cTotal == 0 ? 0 : (double)c[order[k]] / cTotal);
        }
        if (shown < order.Length)
        {
            long rRest = 0, cRest = 0;
            for (var k = shown; k < order.Length; k++) { rRest += r[order[k]]; cRest += c[order[k]]; }
            labels.Add(OtherCategory);
            rShares.Add(rTotal == 0 ? 0 : (double)rRest / rTotal);
            cShares.Add(cTotal == 0 ? 0 : (double)cRest / cTotal);
        }
        return new DisplayHistogram([], labels, rShares, cShares);
    }
}
