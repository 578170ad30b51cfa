namespace Cairn.Pipelines.Steps;

/// <summary>The built-in step kinds (<c>uses: train</c>, ...) a host gives the pipeline engine.</summary>
public static class BuiltinSteps
{
    /// <param name="imageContext">How <c>deploy</c> writes an image build context; null where no cairn build is at hand (deploy then writes the package only).</param>
    public static IReadOnlyDictionary<string, IPipelineStep> All(ImageContextWriter? imageContext = null) =>
        new Dictionary<string, IPipelineStep>(StringComparer.Ordinal)
        {
            [VersionDataStep.Kind] = new VersionDataStep(),
            [FeaturesStep.Kind] = new FeaturesStep(),
            [ValidateDataStep.Kind] = new ValidateDataStep(),
            [TrainStep.Kind] = new TrainStep(),
            [EvaluateStep.Kind] = new EvaluateStep(),
            [TestModelStep.Kind] = new TestModelStep(),
            [GateStep.Kind] = new GateStep(),
            [RegisterStep.Kind] = new RegisterStep(),
            [AliasStep.Kind] = new AliasStep(),
            [DeployStep.Kind] = new DeployStep(imageContext),
        };
}
