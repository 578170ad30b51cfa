using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>A logged prediction with the ground truth sent for it later, and the slice values of its row.</summary>
public readonly record struct LabelledPrediction(double Score, double Label, string?[] Slices);

/// <summary>
/// Joins the predictions of a window to the feedback labels by request id and row, batch by batch:
/// each batch's request ids are looked up in the monitor store, and only the rows that have a
/// label are kept, so memory grows with the labelled rows, not with the window.
/// </summary>
public sealed class FeedbackJoin(IMonitorStore store, string predictionColumn, IReadOnlyList<string> slices)
{
    private readonly List<LabelledPrediction> _joined = [];

    public IReadOnlyList<LabelledPrediction> Joined => _joined;

    /// <summary>The prediction column as it is logged (<c>output_&lt;name&gt;</c>).</summary>
    public string PredictionField { get; } = "output_" + predictionColumn;

    /// <summary>Rows whose prediction was not a number (a text or missing output): not joined.</summary>
    public long UnscoredRows { get; private set; }

    public async Task AddAsync(LoggedBatch logged, CancellationToken ct)
    {
        var prediction = logged.Fields.IndexOf(PredictionField);
        if (logged.RequestIdField < 0 || prediction < 0) return;
        var ids = logged.Batch[logged.RequestIdField];
        var rows = logged.RowField >= 0 ? logged.Batch[logged.RowField] : null;
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < logged.Count; i++)
            if (ids.GetText(Row(logged, i)) is { } id) wanted.Add(id);
        if (wanted.Count == 0) return;
        var labels = new Dictionary<(string, int), double>();
        foreach (var chunk in wanted.Chunk(500))
            foreach (var label in await store.GetFeedbackAsync(chunk, ct).ConfigureAwait(false))
                labels[(label.RequestId, label.Row)] = label.Label;
        if (labels.Count == 0) return;
        var scores = logged.Batch[prediction];
        var sliceFields = slices.Select(s => InferenceLogWindow.FieldOf(logged.Fields, s)).ToArray();
        for (var i = 0; i < logged.Count; i++)
        {
            var row = Row(logged, i);
            var id = ids.GetText(row);
            var within = rows is not null && rows.TryGetNumber(row, out var r) ? (int)r : 0;
            if (id is null || !labels.TryGetValue((id, within), out var label)) continue;
            if (!scores.TryGetNumber(row, out var score))
            {
                UnscoredRows++;
                continue;
            }
            var sliceValues = new string?[sliceFields.Length];
            for (var s = 0; s < sliceFields.Length; s++)
                sliceValues[s] = sliceFields[s] >= 0 ? logged.Batch[sliceFields[s]].GetText(row) : null;
            _joined.Add(new LabelledPrediction(score, label, sliceValues));
        }
    }

    private static int Row(LoggedBatch logged, int i) => logged.Rows is null ? i : logged.Rows[i];
}
