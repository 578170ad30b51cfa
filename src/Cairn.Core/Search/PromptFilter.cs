namespace Cairn.Search;

/// <summary>
/// MLflow 3 keeps prompts in the model registry as registered models (and versions) tagged
/// <c>mlflow.prompt.is_prompt = 'true'</c>, and its searches leave them out unless the filter asks
/// for them. Its clients send <c>tag.`mlflow.prompt.is_prompt` != 'true'</c> with every model
/// search; models without the tag must still match, so that comparison is not an ordinary tag
/// comparison (which a missing tag fails): it is replaced by "not a prompt", as MLflow's server does.
/// </summary>
public static class PromptFilter
{
    public const string IsPromptTag = "mlflow.prompt.is_prompt";

    /// <summary>
    /// Whether the filter asks for prompts (its first comparison of the prompt tag is
    /// <c>= 'true'</c> or <c>!= 'false'</c>, any case), and the comparisons to apply: all of them
    /// when it does; otherwise the others, to be ANDed with "not tagged as a prompt".
    /// </summary>
    public static (bool QueryingPrompts, IReadOnlyList<Comparison> Comparisons) Split(IReadOnlyList<Comparison> comparisons)
    {
        var first = comparisons.FirstOrDefault(IsPromptComparison);
        var querying = first is { Value: StringValue value } &&
            ((first.Op == Comparator.Equal && value.Value.Equals("true", StringComparison.OrdinalIgnoreCase)) ||
             (first.Op == Comparator.NotEqual && value.Value.Equals("false", StringComparison.OrdinalIgnoreCase)));
        return querying ? (true, comparisons) : (false, comparisons.Where(c => !IsPromptComparison(c)).ToList());
    }

    private static bool IsPromptComparison(Comparison c) => c.Kind == EntityKind.Tag && c.Key == IsPromptTag;
}
