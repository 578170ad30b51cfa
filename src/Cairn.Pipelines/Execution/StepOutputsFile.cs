namespace Cairn.Pipelines;

/// <summary>
/// The file a step process writes its value outputs to (<c>$CAIRN_OUTPUTS</c>), one
/// <c>name=value</c> per line, as GitHub Actions' <c>$GITHUB_OUTPUT</c>.
/// </summary>
public static class StepOutputsFile
{
    public const long MaxBytes = 1024 * 1024;

    public static Dictionary<string, string> Read(string path, string who)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return values;
        if (new FileInfo(path).Length > MaxBytes) throw new StepFailedException($"{who}: $CAIRN_OUTPUTS holds more than {MaxBytes} bytes.");
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0 || !PipelineExpressions.IsIdentifier(line[..eq]))
                throw new StepFailedException($"{who}: line {number} of $CAIRN_OUTPUTS is not name=value.");
            values[line[..eq]] = line[(eq + 1)..];
        }
        return values;
    }
}
