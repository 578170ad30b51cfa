using Cairn.Data;

namespace Cairn.Pipelines;

/// <summary>What a schedule, trigger or fire must look like before it is stored; every store checks with these.</summary>
public static class ScheduleRules
{
    public const int MaxParameters = 100;
    public const int MaxValueLength = 4000;

    /// <summary>Letters, digits, '_', '-' and '.', starting with a letter or digit; up to 128.</summary>
    public static string Name(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter($"A {what} needs a name.");
        if (name.Length > 128)
            throw CairnException.InvalidParameter($"The {what} name is {name.Length} characters long; the limit is 128.");
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw CairnException.InvalidParameter($"Invalid {what} name '{name}': use letters, digits, '_', '-' and '.', starting with a letter or digit.");
        return name;
    }

    /// <summary>An absolute path to an existing file, as the server sees it; its folder is the workspace.</summary>
    public static string PipelineFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw CairnException.InvalidParameter("A pipeline file is required.");
        if (path.Length > 4096 || path.Contains('\0'))
            throw CairnException.InvalidParameter("The pipeline file path is not a valid path.");
        if (!Path.IsPathFullyQualified(path))
            throw CairnException.InvalidParameter($"The pipeline file '{path}' must be an absolute path (the server runs it from its folder).");
        if (!File.Exists(path))
            throw CairnException.InvalidParameter(Directory.Exists(path)
                ? $"The pipeline file '{path}' is a folder: name the pipeline file in it."
                : $"The pipeline file '{path}' does not exist on the server.");
        return Path.GetFullPath(path);
    }

    /// <summary>Parameter names as pipelines declare them (letters, digits, '_', '-'); values up to 4000 characters.</summary>
    public static IReadOnlyDictionary<string, string> Parameters(IReadOnlyDictionary<string, string>? parameters)
    {
        if (parameters is null) return new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters.Count > MaxParameters)
            throw CairnException.InvalidParameter($"{parameters.Count} parameters; the limit is {MaxParameters}.");
        foreach (var (name, value) in parameters)
        {
            ParameterName(name);
            if (value is null || value.Length > MaxValueLength || value.Contains('\0'))
                throw CairnException.InvalidParameter($"The value of parameter '{name}' must be a string of at most {MaxValueLength} characters.");
        }
        return new Dictionary<string, string>(parameters, StringComparer.Ordinal);
    }

    public static string ParameterName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !char.IsAsciiLetter(name[0]) && name[0] != '_'
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw CairnException.InvalidParameter($"Invalid parameter name '{name}': use letters, digits, '_' and '-', starting with a letter or '_'.");
        return name;
    }

    public static NewPipelineSchedule Schedule(NewPipelineSchedule s)
    {
        Name(s.Name, "schedule");
        CronSchedule.Parse(s.Cron, s.TimeZone);
        return s with { PipelineFile = PipelineFile(s.PipelineFile), Cron = s.Cron.Trim(), Parameters = Parameters(s.Parameters) };
    }

    public static NewPipelineTrigger Trigger(NewPipelineTrigger t)
    {
        Name(t.Name, "trigger");
        string? parameterName = null;
        switch (t.Event)
        {
            case TriggerEvents.Dataset:
                DatasetNames.Validate(t.Source);
                parameterName = ParameterName(string.IsNullOrEmpty(t.ParameterName) ? "data" : t.ParameterName);
                break;
            case TriggerEvents.Alert:
                AlertName(t.Source);
                if (!string.IsNullOrEmpty(t.ParameterName))
                    throw CairnException.InvalidParameter("An alert trigger takes no parameter name: the alert's labels that the pipeline declares as parameters are passed.");
                break;
            default:
                throw CairnException.InvalidParameter($"Invalid trigger event '{t.Event}': expected '{TriggerEvents.Dataset}' or '{TriggerEvents.Alert}'.");
        }
        return t with { PipelineFile = PipelineFile(t.PipelineFile), ParameterName = parameterName, Parameters = Parameters(t.Parameters) };
    }

    /// <summary>Alertmanager label values: any printable text up to 256 characters.</summary>
    public static string AlertName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 256 || name.Any(char.IsControl))
            throw CairnException.InvalidParameter($"Invalid alert name '{name}': a non-empty alertname of at most 256 printable characters.");
        return name;
    }

    public static NewPipelineFire Fire(NewPipelineFire f)
    {
        if (f.SourceKind is not (FireSources.Schedule or FireSources.Trigger))
            throw CairnException.InvalidParameter($"Invalid fire source '{f.SourceKind}': expected '{FireSources.Schedule}' or '{FireSources.Trigger}'.");
        Name(f.SourceName, f.SourceKind);
        if (string.IsNullOrEmpty(f.FireKey) || f.FireKey.Length > 256 || f.FireKey.Any(char.IsControl))
            throw CairnException.InvalidParameter("A fire key must be 1 to 256 printable characters.");
        if (string.IsNullOrWhiteSpace(f.PipelineFile) || !Path.IsPathFullyQualified(f.PipelineFile))
            throw CairnException.InvalidParameter("A fire needs the absolute path of its pipeline file.");
        if (f.FireTime < 0) throw CairnException.InvalidParameter("A fire time must not be negative.");
        if (f.Owner is { } owner && (owner.Length is 0 or > 256 || owner.Any(char.IsControl)))
            throw CairnException.InvalidParameter("A fire owner must be 1 to 256 printable characters.");
        return f with { Parameters = Parameters(f.Parameters) };
    }

    public static string FinishStatus(string? status) => status is FireStatuses.Succeeded or FireStatuses.Failed
        ? status
        : throw CairnException.InvalidParameter($"Invalid fire status '{status}': a fire finishes '{FireStatuses.Succeeded}' or '{FireStatuses.Failed}'.");
}
