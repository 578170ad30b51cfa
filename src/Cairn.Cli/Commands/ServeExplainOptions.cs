using System.CommandLine;
using Cairn.Models.Explain;
using Cairn.Quality.Explanations;

namespace Cairn.Cli.Commands;

/// <summary>The explanation options of <c>cairn serve</c>: whether the explain routes answer, against which background, and how many logged requests are explained.</summary>
internal sealed class ServeExplainOptions
{
    private readonly Option<bool> _explain = new("--explain") { Description = "Answer the explain routes (/v2/models/<name>/explain, /v1/models/<name>:explain) with SHAP values." };
    private readonly Option<string?> _background = new("--explain-background")
        { Description = "Rows standing for 'feature unknown': a .csv, .parquet or .json file, or data:/name@version (default: the version's training data, through its lineage)." };
    private readonly Option<string?> _method = new("--explain-method")
        { Description = $"{ExplainMethods.Kernel}, {ExplainMethods.TreeInterventional} or {ExplainMethods.TreePathDependent} (default: the best the model allows)." };
    private readonly Option<int?> _target = new("--explain-target")
        { Description = "The class (multiclass classifier) or target index explained (default: the single output, or a binary classifier's positive class)." };
    private readonly Option<double> _logRate = new("--explain-log-rate")
        { Description = "Share of logged requests also explained behind the request path, their SHAP values logged as output_shap_<feature> (0 to 1).", DefaultValueFactory = _ => 0 };

    /// <summary>Explanations as asked for: whether on, and how.</summary>
    public sealed record Settings(string? Background, ExplainOptions Options, double LogRate)
    {
        /// <summary>The explainer of a model, with a line saying what it explains against.</summary>
        public async Task<(IModelExplainer Explainer, string Description)> CreateAsync(CairnClient client, string reference, CancellationToken ct)
        {
            using var model = await ExplainableModel.OpenAsync(client, reference, ct);
            var background = await ModelExplaining.BackgroundAsync(client, model, Background, null, ct);
            var explainer = model.CreateExplainer(background.Rows, Options);
            var kept = Math.Min(background.Rows.Count, Options.MaxBackgroundRows);
            return (explainer, $"Explaining with {explainer.Method} against {kept} background rows of {background.Source}.");
        }
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_explain);
        command.Options.Add(_background);
        command.Options.Add(_method);
        command.Options.Add(_target);
        command.Options.Add(_logRate);
    }

    /// <summary>The settings, or null when explanations are off; an explanation option without <c>--explain</c>, or a rate out of range, is an error.</summary>
    public Settings? Read(ParseResult parse)
    {
        var rate = parse.GetValue(_logRate);
        if (rate is < 0 or > 1) throw CairnException.InvalidParameter($"--explain-log-rate must be between 0 and 1, got {rate}.");
        if (!parse.GetValue(_explain))
        {
            var stray = new Option[] { _background, _method, _target, _logRate }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
            if (stray is not null) throw CairnException.InvalidParameter($"{stray.Name} needs --explain.");
            return null;
        }
        if (parse.GetValue(_target) is < 0) throw CairnException.InvalidParameter($"--explain-target must be 0 or more, got {parse.GetValue(_target)}.");
        return new Settings(parse.GetValue(_background), new ExplainOptions { Method = parse.GetValue(_method), Target = parse.GetValue(_target) }, rate);
    }
}
