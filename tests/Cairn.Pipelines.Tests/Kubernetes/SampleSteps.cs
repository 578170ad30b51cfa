using Cairn.Pipelines;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>Steps as the engine hands them over: a diamond (prepare, then train and evaluate, then register).</summary>
internal static class SampleSteps
{
    public const string Pipeline = "train_delay";
    public const string RunId = "0123456789abcdef0123456789abcdef";
    public const string Image = "registry.example/cairn:1.0";

    public static StepJob Step(string name, params string[] dependsOn) => new(
        name,
        ["cairn", "pipeline", "step", "--run", RunId, "--step", name],
        new Dictionary<string, string> { ["CAIRN_TRACKING_URI"] = "http://cairn:5000", ["CAIRN_STEP"] = name },
        "/work",
        null,
        new StepResources(Cpus: 1.5, MemoryBytes: 2L * 1024 * 1024 * 1024),
        TimeSpan.FromMinutes(10),
        2,
        dependsOn);

    public static IReadOnlyList<StepJob> Diamond() =>
    [
        Step("register", "train", "evaluate"),
        Step("prepare"),
        Step("train", "prepare"),
        Step("evaluate", "prepare") with { Image = "registry.example/eval:2", Retries = 0, Timeout = null, Resources = StepResources.None },
    ];
}
