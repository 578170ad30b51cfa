using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Rest;

/// <summary>
/// The API tokens <c>cairn login</c> stores, one per server: <c>$XDG_CONFIG_HOME/cairn/credentials.json</c>
/// (default <c>~/.config/cairn</c>), readable by its owner only. Like ssh with a private key, a file
/// other users can read is refused rather than used.
/// </summary>
public sealed class CredentialsFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A credentials file at <paramref name="path"/> (it need not exist yet).</summary>
    public CredentialsFile(string path) => Path = path;

    /// <summary>Where the tokens are kept.</summary>
    public string Path { get; }

    /// <summary>The user's file: under <c>$XDG_CONFIG_HOME</c>, else <c>$HOME/.config</c>; null when neither nor a home folder is known.</summary>
    /// <param name="read">Reads a variable; null for the process environment.</param>
    public static CredentialsFile? Default(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var config = read("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg
            : (read("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is { Length: > 0 } profile
                ? System.IO.Path.Combine(profile, ".config") : null;
        return config is null ? null : new CredentialsFile(System.IO.Path.Combine(config, "cairn", "credentials.json"));
    }

    /// <summary>The key a server is stored under: its URI without a trailing slash (so <c>https://h:5000/</c> is <c>https://h:5000</c>).</summary>
    public static string Key(Uri server) => server.AbsoluteUri.TrimEnd('/');

    /// <summary>The token stored for <paramref name="server"/>; null when there is none or no file.</summary>
    /// <exception cref="CairnException">The file can be read by other users, or is not a credentials file.</exception>
    public string? TokenFor(Uri server) =>
        Read()[Key(server)] is JsonObject entry && entry["token"] is JsonValue value && value.TryGetValue(out string? token) ? token : null;

    /// <summary>Stores <paramref name="token"/> for <paramref name="server"/>, replacing any; the file and its folder are created readable by their owner only.</summary>
    public void Store(Uri server, string token)
    {
        var servers = Read();
        servers[Key(server)] = new JsonObject { ["token"] = token };
        Write(servers);
    }

    /// <summary>Removes the token of <paramref name="server"/>; false when none was stored.</summary>
    public bool Remove(Uri server)
    {
        var servers = Read();
        if (!servers.Remove(Key(server))) return false;
        Write(servers);
        return true;
    }

    private JsonObject Read()
    {
        if (!File.Exists(Path)) return [];
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path) & OthersAccess) != 0)
            throw CairnException.InvalidParameter($"{Path} holds API tokens and other users can read or change it: make it yours alone (chmod 600 {Path}), or remove it and run cairn login again.");
        try
        {
            return JsonNode.Parse(File.ReadAllText(Path))?["servers"]?.AsObject() is { } servers ? (JsonObject)servers.DeepClone() : [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw CairnException.InvalidParameter($"{Path} is not a Cairn credentials file ({e.Message}): remove it and run cairn login again.");
        }
    }

    /// <summary>Written to a new owner-only file, then moved over the old one, so that the tokens are never readable by others, even briefly.</summary>
    private void Write(JsonObject servers)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
        var temporary = $"{Path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(temporary, options))
                JsonSerializer.Serialize(stream, new JsonObject { ["servers"] = servers }, new JsonSerializerOptions { WriteIndented = true });
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
