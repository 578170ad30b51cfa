using YamlDotNet.Core;

namespace Cairn.Data;

/// <summary>
/// <c>.cairn/config.yaml</c>, committed with the code so that a fresh clone knows where its data
/// lives: named remotes (<c>s3://bucket/prefix</c> or a folder) and the default one.
/// </summary>
public sealed class DataConfig
{
    public SortedDictionary<string, string> Remotes { get; set; } = new(StringComparer.Ordinal);
    public string? DefaultRemote { get; set; }

    public static DataConfig Load(string path)
    {
        if (!File.Exists(path)) return new DataConfig();
        try
        {
            var config = DataYaml.Reader.Deserialize<DataConfig>(File.ReadAllText(path)) ?? new DataConfig();
            config.Remotes = new SortedDictionary<string, string>(config.Remotes ?? new(), StringComparer.Ordinal);
            return config;
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{path} is not valid (line {e.Start.Line}): {e.Message}");
        }
    }

    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, "# cairn data settings: commit this file\n" + DataYaml.Writer.Serialize(this));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The remote's URL by name, or the default remote's when <paramref name="name"/> is null.</summary>
    public (string Name, string Url) RemoteOrDefault(string? name)
    {
        var chosen = name ?? DefaultRemote ?? (Remotes.Count == 1 ? Remotes.Keys.First() : null)
            ?? throw CairnException.InvalidParameter(Remotes.Count == 0
                ? "No data remote is configured: add one with `cairn data remote add origin s3://bucket/prefix` (or a folder)."
                : $"Several data remotes are configured ({string.Join(", ", Remotes.Keys)}) and none is the default: pass --remote or run `cairn data remote default <name>`.");
        return Remotes.TryGetValue(chosen, out var url)
            ? (chosen, url)
            : throw CairnException.NotFound($"There is no data remote named '{chosen}' (configured: {(Remotes.Count == 0 ? "none" : string.Join(", ", Remotes.Keys))}). Add it with `cairn data remote add {chosen} <url>`.");
    }
}
