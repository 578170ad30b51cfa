using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Pipelines;

/// <summary>A reference inside <c>${{ ... }}</c>: a parameter, another step's output, or the run itself.</summary>
public abstract record ExpressionReference(string Text);
public sealed record ParameterReference(string Text, string Name) : ExpressionReference(Text);
public sealed record StepOutputReference(string Text, string Step, string Output) : ExpressionReference(Text);
/// <summary><c>run.id</c> (the pipeline run) or <c>run.workspace</c> (the folder steps run in).</summary>
public sealed record RunReference(string Text, string Field) : ExpressionReference(Text);

/// <summary>
/// The expressions of pipeline texts, as GitHub Actions users write them: <c>${{ params.months }}</c>,
/// <c>${{ steps.train.outputs.model }}</c>, <c>${{ run.id }}</c>. Only references, no operators:
/// a pipeline's logic belongs in its steps.
/// </summary>
public static partial class PipelineExpressions
{
    [GeneratedRegex(@"\$\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Expression();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex Identifier();

    public static bool IsIdentifier(string name) => Identifier().IsMatch(name);

    /// <summary>Every reference in <paramref name="text"/>; a malformed one is an error naming <paramref name="where"/>.</summary>
    public static IReadOnlyList<ExpressionReference> References(string text, string where)
    {
        var found = new List<ExpressionReference>();
        foreach (Match m in Expression().Matches(text)) found.Add(Parse(m.Groups[1].Value.Trim(), where));
        if (Expression().Replace(text, "").Contains("${{", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"{where}: an expression is opened with '${{{{' and not closed with '}}}}'.");
        return found;
    }

    private static ExpressionReference Parse(string inner, string where)
    {
        var parts = inner.Split('.');
        if (parts.Length == 2 && parts[0] == "params" && IsIdentifier(parts[1])) return new ParameterReference(inner, parts[1]);
        if (parts.Length == 4 && parts[0] == "steps" && parts[2] == "outputs" && IsIdentifier(parts[1]) && IsIdentifier(parts[3]))
            return new StepOutputReference(inner, parts[1], parts[3]);
        if (parts.Length == 2 && parts[0] == "run" && parts[1] is "id" or "workspace") return new RunReference(inner, parts[1]);
        throw CairnException.InvalidParameter(
            $"{where}: '${{{{ {inner} }}}}' is not an expression Cairn knows: use params.<name>, steps.<step>.outputs.<name>, run.id or run.workspace.");
    }

    /// <summary>Replaces each expression with its value.</summary>
    public static string Substitute(string text, Func<ExpressionReference, string> value, string where)
    {
        if (!text.Contains("${{", StringComparison.Ordinal)) return text;
        var result = new StringBuilder();
        var last = 0;
        foreach (Match m in Expression().Matches(text))
        {
            result.Append(text, last, m.Index - last).Append(value(Parse(m.Groups[1].Value.Trim(), where)));
            last = m.Index + m.Length;
        }
        return result.Append(text, last, text.Length - last).ToString();
    }
}
