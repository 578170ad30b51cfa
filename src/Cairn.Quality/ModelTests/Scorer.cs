using System.Globalization;
using Cairn.Models;

namespace Cairn.Quality.ModelTests;

/// <summary>A model's prediction reduced to what tests read: a score, and a predicted label.</summary>
internal readonly record struct Scored(double Score, bool Predicted, string LabelText);

/// <summary>Scores rows and reads the suite's score and label outputs from each prediction.</summary>
internal sealed class Scorer
{
    private readonly IModelPredictor _model;
    private readonly string _score;
    private readonly string? _label;
    private readonly double _threshold;

    public Scorer(IModelPredictor model, ModelTestSuite suite)
    {
        _model = model;
        _threshold = suite.Threshold;
        var outputs = model.Signature.Outputs.Select(o => o.Name).ToList();
        var listed = string.Join(", ", outputs);
        if (suite.ScoreOutput is { } score && !outputs.Contains(score))
            throw CairnException.InvalidParameter($"{suite.Source}: the score output '{score}' is not an output of the model (its outputs: {listed}).");
        _score = suite.ScoreOutput
            ?? new[] { "Probability", "Score" }.FirstOrDefault(outputs.Contains)
            ?? model.Signature.Outputs.FirstOrDefault(o => o.Type is "float" or "double" or "integer" or "long")?.Name
            ?? throw CairnException.InvalidParameter($"{suite.Source}: the model has no numeric output to read as its score (its outputs: {listed}); name one with 'score:'.");
        if (suite.LabelOutput is { } label && !outputs.Contains(label))
            throw CairnException.InvalidParameter($"{suite.Source}: the label output '{label}' is not an output of the model (its outputs: {listed}).");
        _label = suite.LabelOutput ?? (outputs.Contains("PredictedLabel") ? "PredictedLabel" : null);
    }

    public string ScoreName => _score;

    public Scored[] Score(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count == 0) return [];
        var predictions = _model.Predict(rows);
        var scored = new Scored[predictions.Count];
        for (var i = 0; i < predictions.Count; i++)
        {
            var score = InputTyping.ToNumber(predictions[i].GetValueOrDefault(_score));
            if (_label is not null && predictions[i].GetValueOrDefault(_label) is { } raw)
            {
                var predicted = raw is bool b ? b : InputTyping.ToNumber(raw) is var n && !double.IsNaN(n) ? n != 0 : score >= _threshold;
                scored[i] = new Scored(score, predicted, raw is bool flag ? (flag ? "true" : "false") : Convert.ToString(raw, CultureInfo.InvariantCulture) ?? "");
            }
            else
            {
                var predicted = score >= _threshold;
                scored[i] = new Scored(score, predicted, predicted ? "true" : "false");
            }
        }
        return scored;
    }
}
