using System.Text.RegularExpressions;
using Cairn.Registry;

namespace Cairn.Pipelines.CiCd;

/// <summary>Checks for the texts a user puts into a generated CI file.</summary>
public static partial class CiInputs
{
    public static string Branch(string branch)
    {
        if (branch.Length > 200 || !BranchPattern().IsMatch(branch) || branch.Contains("..") || branch.Contains("//") || branch.EndsWith('/') || branch.EndsWith(".lock", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"--branch '{Printable(branch)}' is not a plain branch name: use letters, digits, '.', '_', '-' and '/' (no wildcards), e.g. main.");
        return branch;
    }

    /// <summary>A path inside the repository, written into shell lines as is: plain characters, no '..', not absolute.</summary>
    public static string RelativeFile(string path, string option)
    {
        var segments = path.Split('/');
        if (path.Length is 0 or > 300 || !PathPattern().IsMatch(path) || path.StartsWith('-') || segments.Any(s => s is "" or "." or ".."))
            throw CairnException.InvalidParameter($"{option} '{Printable(path)}' must be a relative path inside the repository made of letters, digits, '.', '_', '-' and '/', without '..'.");
        return path;
    }

    /// <summary>A gate expression: passed to <c>cairn gate</c> as one shell-quoted argument, so only expansion characters are refused.</summary>
    public static string Gate(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Length > 1000)
            throw CairnException.InvalidParameter("--gate needs an expression of 1 to 1000 characters, e.g. \"metrics.auc >= 0.8\".");
        if (expression.Any(char.IsControl) || expression.Contains('$') || expression.Contains('`'))
            throw CairnException.InvalidParameter($"--gate '{Printable(expression)}' contains '$', '`' or a control character, which the CI service or the shell would expand; write the expression without them.");
        return expression.Trim();
    }

    /// <summary>The model of <c>--promote models:/&lt;name&gt;</c>: a name, neither a version nor an alias (the pipeline decides the version).</summary>
    public static string ModelToPromote(string uri)
    {
        if (!ModelUri.IsModelUri(uri))
            throw CairnException.InvalidParameter($"--promote '{Printable(uri)}' is not a model URI: use models:/<name>, e.g. models:/delay.");
        var name = uri[ModelUri.Scheme.Length..].Trim('/');
        if (name.Contains('@'))
            throw CairnException.InvalidParameter($"--promote '{Printable(uri)}' names an alias: give models:/<name> and the alias with --alias.");
        var last = name[(name.LastIndexOf('/') + 1)..];
        if (name.Contains('/') && last.Length > 0 && last.All(char.IsAsciiDigit))
            throw CairnException.InvalidParameter($"--promote '{Printable(uri)}' names a version: give models:/<name>; the workflow promotes the version its pipeline run registered.");
        RegistryNames.ValidateModelName(name);
        if (name.Contains('$') || name.Contains('`') || name.Contains('='))
            throw CairnException.InvalidParameter($"--promote '{Printable(uri)}': a model promoted from CI must not contain '$', '`' or '=' (the CI service or the shell would read them).");
        return name;
    }

    /// <summary>The name of a CI secret exposed as an environment variable.</summary>
    public static string SecretName(string name)
    {
        if (!SecretPattern().IsMatch(name))
            throw CairnException.InvalidParameter($"--secret '{Printable(name)}' is not an environment variable name: use upper-case letters, digits and '_', e.g. AWS_ACCESS_KEY_ID.");
        if (name.StartsWith("GITHUB_", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"--secret '{name}': names starting with GITHUB_ are reserved by GitHub.");
        return name;
    }

    /// <summary>The NuGet version of the cairn tool to install.</summary>
    public static string ToolVersion(string version)
    {
        var plain = version.Split('+')[0]; // drop the build metadata an informational version carries
        if (!VersionPattern().IsMatch(plain))
            throw CairnException.InvalidParameter($"'{Printable(version)}' is not a NuGet version of the cairn tool, e.g. 0.1.0.");
        return plain;
    }

    /// <summary>Hostile text echoed in an error stays on one line and short.</summary>
    internal static string Printable(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return clean.Length > 80 ? clean[..80] + "..." : clean;
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._/-]*$")]
    private static partial Regex BranchPattern();

    [GeneratedRegex("^[A-Za-z0-9._/-]+$")]
    private static partial Regex PathPattern();

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,99}$")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex VersionPattern();
}
