namespace Cairn.Models;

/// <summary>A model fitted by <see cref="MlnetAutolog.TrainAndLog{TModel}"/> and what was logged about it.</summary>
/// <param name="Model">The fitted pipeline, as <c>pipeline.Fit</c> returns it.</param>
/// <param name="Logged">The model package logged to the run (null when <see cref="AutologOptions.LogModel"/> is off).</param>
/// <param name="Trainer">The trainer's type name (the <c>trainer</c> param).</param>
/// <param name="TrainingSeconds">How long <c>Fit</c> took (the <c>training_seconds</c> metric).</param>
public sealed record TrainedModel<TModel>(TModel Model, LoggedModel? Logged, string Trainer, double TrainingSeconds);
