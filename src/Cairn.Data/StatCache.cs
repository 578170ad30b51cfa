using System.Text;

namespace Cairn.Data;

/// <summary>
/// Remembers each file's digest with the size and modification time it had when hashed, so an
/// unchanged file is never read again (as git's index and DVC's state do). A file whose size or
/// mtime differs is rehashed. Stored in <c>.cairn/tmp/stat-cache</c>; losing it costs only time.
/// </summary>
public sealed class StatCache
{
    private const int FormatVersion = 1;
    private readonly string _path;
    private readonly Dictionary<string, (long Size, long Ticks, string Hex)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _dirty;

    public StatCache(string path)
    {
        _path = path;
        try
        {
            if (File.Exists(path)) Load();
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or FormatException)
        {
            _entries.Clear(); // a damaged cache is rebuilt by hashing again
        }
    }

    public bool TryGet(string fullPath, long size, long ticks, out string hex)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(fullPath, out var e) && e.Size == size && e.Ticks == ticks)
            {
                hex = e.Hex;
                return true;
            }
        }
        hex = "";
        return false;
    }

    public void Set(string fullPath, long size, long ticks, string hex)
    {
        lock (_lock)
        {
            _entries[fullPath] = (size, ticks, hex);
            _dirty = true;
        }
    }

    /// <summary>The digest of a file, from the cache when its size and mtime are unchanged.</summary>
    public string Hash(string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (TryGet(fullPath, info.Length, info.LastWriteTimeUtc.Ticks, out var hex)) return hex;
        (hex, _) = ContentHash.OfFile(fullPath);
        Set(fullPath, info.Length, info.LastWriteTimeUtc.Ticks, hex);
        return hex;
    }

    /// <summary>Records a file just written from the cache, whose digest is known.</summary>
    public void Remember(string fullPath, string hex)
    {
        var info = new FileInfo(fullPath);
        Set(fullPath, info.Length, info.LastWriteTimeUtc.Ticks, hex);
    }

    public void Save()
    {
        lock (_lock)
        {
            if (!_dirty) return;
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + "." + Guid.NewGuid().ToString("N");
            using (var writer = new BinaryWriter(File.Create(temp), Encoding.UTF8))
            {
                writer.Write(FormatVersion);
                writer.Write(_entries.Count);
                foreach (var (path, e) in _entries)
                {
                    writer.Write(path);
                    writer.Write(e.Size);
                    writer.Write(e.Ticks);
                    writer.Write(e.Hex);
                }
            }
            File.Move(temp, _path, overwrite: true);
            _dirty = false;
        }
    }

    private void Load()
    {
        using var reader = new BinaryReader(new BufferedStream(File.OpenRead(_path), 1 << 16), Encoding.UTF8);
        if (reader.ReadInt32() != FormatVersion) return;
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
            _entries[reader.ReadString()] = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadString());
    }
}
