using Microsoft.ML;

namespace Cairn.Models;

/// <summary>
/// Autologging without handling runs: each <see cref="TrainAndLog{TModel}"/> starts a run in the
/// scope's experiment (ending the previous one), and <see cref="EvaluateAndLog"/> logs to the run of
/// the last training. Disposing ends the open run.
/// </summary>
public sealed class AutologScope : IDisposable
{
    private readonly CairnClient _client;
    private readonly MLContext _ml;
    private readonly string _experiment;
    private readonly AutologOptions _options;

    internal AutologScope(CairnClient client, MLContext ml, string experiment, AutologOptions options) =>
        (_client, _ml, _experiment, _options) = (client, ml, experiment, options);

    /// <summary>The run of the last training, open until the next training or <see cref="Dispose"/>.</summary>
    public ActiveRun? Run { get; private set; }

    /// <summary>Ends the open run, starts one named after the trainer, and fits and logs as <see cref="MlnetAutolog.TrainAndLog{TModel}"/> does.</summary>
    public TrainedModel<TModel> TrainAndLog<TModel>(IEstimator<TModel> pipeline, IDataView train, IDataView? validation = null)
        where TModel : class, ITransformer
    {
        var trainer = TrainerParams.FindTrainer((IEstimator<ITransformer>)pipeline); // no run is started for a pipeline that cannot train
        Run?.Dispose();
        Run = _client.StartRun(_experiment, runName: trainer.GetType().Name);
        try
        {
            return Run.TrainAndLog(_ml, pipeline, train, validation, _options);
        }
        catch
        {
            Run.End(Tracking.RunStatus.Failed);
            Run = null;
            throw;
        }
    }

    /// <summary>Evaluates and logs to the run of the last training, as <see cref="EvaluationLogging.EvaluateAndLog"/> does.</summary>
    /// <exception cref="CairnException">Nothing was trained in this scope yet.</exception>
    public IReadOnlyDictionary<string, double> EvaluateAndLog(ITransformer model, IDataView data, string labelColumn, string prefix = "test_") =>
        (Run ?? throw CairnException.InvalidParameter("Nothing was trained in this autolog scope yet: call TrainAndLog first."))
            .EvaluateAndLog(_ml, model, data, labelColumn, prefix);

    /// <summary>Ends the open run (finished).</summary>
    public void Dispose()
    {
        Run?.Dispose();
        Run = null;
    }
}

/// <summary>Starting an <see cref="AutologScope"/>.</summary>
public static class AutologScopes
{
    /// <summary>A scope that logs every training through it as a run of <paramref name="experiment"/>.</summary>
    public static AutologScope AutoLog(this CairnClient cairn, MLContext ml, string experiment = "Default", AutologOptions? options = null) =>
        new(cairn, ml, experiment, options ?? new AutologOptions());
}
