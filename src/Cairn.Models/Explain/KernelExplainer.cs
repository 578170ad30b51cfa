namespace Cairn.Models.Explain;

/// <summary>
/// KernelSHAP for any model Cairn loads: the players are the model's input columns, and the value
/// of a coalition S is the mean model output over the background rows, each with S's columns
/// replaced by the explained row's. Shapley values are the Shapley-kernel weighted least squares
/// fit of those values with the efficiency constraint (base + sum = output) enforced; every
/// coalition is evaluated when 2^M - 2 &lt;= <see cref="ExplainOptions.Samples"/> (then the values
/// are exact), otherwise a seeded, paired sample of them.
/// </summary>
public sealed class KernelExplainer : IModelExplainer
{
    /// <summary>Hybrid rows per call to the predictor: large enough to amortize a call, small enough to bound memory.</summary>
    private const int PredictBatch = 8192;

    private readonly IModelPredictor _predictor;
    private readonly bool _ownsPredictor;
    private readonly IReadOnlyList<IReadOnlyDictionary<string, object?>> _background;
    private readonly ExplainOptions _options;
    private readonly Dictionary<string, int> _indexOf;
    private double? _baseValue;

    /// <summary>An explainer of <paramref name="predictor"/> against <paramref name="background"/> (used as given; <see cref="ModelExplainers.Create"/> subsamples it).</summary>
    /// <param name="predictor">The loaded model.</param>
    /// <param name="background">Rows holding every input column.</param>
    /// <param name="options">Samples and seed.</param>
    /// <param name="ownsPredictor">Whether disposing the explainer disposes the predictor.</param>
    /// <exception cref="CairnException">No background rows, a background row without an input, or a model without a numeric output.</exception>
    public KernelExplainer(IModelPredictor predictor, IReadOnlyList<IReadOnlyDictionary<string, object?>> background, ExplainOptions? options = null, bool ownsPredictor = false)
    {
        _predictor = predictor;
        _ownsPredictor = ownsPredictor;
        _options = options ?? new ExplainOptions();
        if (_options.Samples < 2) throw CairnException.InvalidParameter($"KernelSHAP needs at least 2 samples (coalitions per row); {_options.Samples} was given.");
        Features = predictor.Signature.Inputs.Select(i => i.Name).ToList();
        if (Features.Count == 0) throw CairnException.InvalidParameter("The model's signature has no inputs, so there is nothing to attribute its output to.");
        ModelExplainers.CheckRows(background, Features, "background");
        _background = background;
        _indexOf = Features.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i, StringComparer.Ordinal);
        _column = ExplainedOutput.NameOf(predictor.Signature, _options.Target);
        _target = predictor.Signature.Outputs.First(o => o.Name == _column).IsTensor ? _options.Target : null;
        OutputName = _target is { } k ? $"{_column}[{k}]" : _column;
    }

    private readonly string _column;
    private readonly int? _target;

    /// <inheritdoc />
    public string Method => ExplainMethods.Kernel;
    /// <inheritdoc />
    public IReadOnlyList<string> Features { get; }
    /// <summary>The output explained (see <see cref="ExplainedOutput.NameOf"/>; <c>Score[2]</c> for one class of several), with the identity link.</summary>
    public string OutputName { get; }

    /// <inheritdoc />
    public Explanation Explain(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ModelExplainers.CheckRows(rows, Features, "rows to explain", allowEmpty: true);
        var baseValue = _baseValue ??= Outputs(_background).Average();
        var outputs = rows.Count == 0 ? [] : Outputs(rows);
        var players = Features.Count;
        var exact = KernelShapCoalitions.IsExact(players, _options.Samples);
        var random = new Random(_options.Seed);
        var all = exact ? KernelShapCoalitions.All(players) : null;
        var values = new List<double[]>(rows.Count);
        var errors = new List<double[]>(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var coalitions = all ?? KernelShapCoalitions.Sample(players, _options.Samples, random);
            var (shap, error) = KernelShapRegression.Solve(Features.Count, coalitions, CoalitionValues(rows[r], coalitions), baseValue, outputs[r], exact);
            values.Add(shap);
            errors.Add(error);
        }
        return new Explanation(Method, ExplainLinks.Identity, OutputName, Features, baseValue, outputs, values, _background.Count)
        {
            Samples = all?.Count ?? 2 * Math.Max(2, _options.Samples / 2),
            StandardErrors = errors,
        };
    }

    /// <summary>The mean output over the background of each coalition's hybrid rows; a coalition drawn twice is scored once.</summary>
    private double[] CoalitionValues(IReadOnlyDictionary<string, object?> row, IReadOnlyList<Coalition> coalitions)
    {
        var distinct = new Dictionary<string, int>(StringComparer.Ordinal);
        var slot = new int[coalitions.Count];
        var unique = new List<bool[]>();
        for (var c = 0; c < coalitions.Count; c++)
        {
            var key = string.Create(coalitions[c].Members.Length, coalitions[c].Members, (span, m) => { for (var i = 0; i < m.Length; i++) span[i] = m[i] ? '1' : '0'; });
            if (!distinct.TryGetValue(key, out var s))
            {
                s = unique.Count;
                distinct[key] = s;
                unique.Add(coalitions[c].Members);
            }
            slot[c] = s;
        }
        var sums = new double[unique.Count];
        var hybrids = new List<IReadOnlyDictionary<string, object?>>(PredictBatch);
        var owners = new List<int>(PredictBatch);
        for (var u = 0; u < unique.Count; u++)
        {
            foreach (var b in _background)
            {
                hybrids.Add(new HybridRow(Features, _indexOf, row, b, unique[u]));
                owners.Add(u);
                if (hybrids.Count == PredictBatch) Flush();
            }
        }
        Flush();
        return slot.Select(s => sums[s] / _background.Count).ToArray();

        void Flush()
        {
            if (hybrids.Count == 0) return;
            var scored = Outputs(hybrids);
            for (var i = 0; i < scored.Length; i++) sums[owners[i]] += scored[i];
            hybrids.Clear();
            owners.Clear();
        }
    }

    private double[] Outputs(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var scored = _predictor.Predict(rows);
        var outputs = new double[rows.Count];
        for (var i = 0; i < outputs.Length; i++)
            outputs[i] = ExplainedOutput.ToDouble(scored[i].TryGetValue(_column, out var v) ? v : null, _column, _target);
        return outputs;
    }

    /// <summary>Disposes the predictor when the explainer owns it.</summary>
    public void Dispose()
    {
        if (_ownsPredictor) _predictor.Dispose();
    }
}
