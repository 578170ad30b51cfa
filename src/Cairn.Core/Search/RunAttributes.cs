namespace Cairn.Search;

/// <summary>The run attributes a filter or order-by may name, and whether each is a number or a string.</summary>
public static class RunAttributes
{
    public sealed record Attribute(string Name, string Column, bool IsNumeric);

    private static readonly Dictionary<string, Attribute> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["run_id"] = new("run_id", "run_uuid", false),
        ["run_name"] = new("run_name", "name", false),
        ["status"] = new("status", "status", false),
        ["user_id"] = new("user_id", "user_id", false),
        ["artifact_uri"] = new("artifact_uri", "artifact_uri", false),
        ["lifecycle_stage"] = new("lifecycle_stage", "lifecycle_stage", false),
        ["start_time"] = new("start_time", "start_time", true),
        ["created"] = new("created", "start_time", true),
        ["end_time"] = new("end_time", "end_time", true),
    };

    public static Attribute Resolve(string name) =>
        ByName.TryGetValue(name, out var a)
            ? a
            : throw CairnException.InvalidParameter(
                $"Invalid attribute key '{name}'. Valid run attributes are: {string.Join(", ", ByName.Keys.Order())}.");
}

/// <summary>The experiment attributes a filter or order-by may name.</summary>
public static class ExperimentAttributes
{
    private static readonly Dictionary<string, RunAttributes.Attribute> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["experiment_id"] = new("experiment_id", "experiment_id", true),
        ["name"] = new("name", "name", false),
        ["creation_time"] = new("creation_time", "creation_time", true),
        ["last_update_time"] = new("last_update_time", "last_update_time", true),
    };

    public static RunAttributes.Attribute Resolve(string name) =>
        ByName.TryGetValue(name, out var a)
            ? a
            : throw CairnException.InvalidParameter(
                $"Invalid experiment attribute '{name}'. Valid ones are: {string.Join(", ", ByName.Keys.Order())}.");
}
