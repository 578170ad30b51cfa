namespace Cairn.Data;

/// <summary>
/// The content-addressed cache (<c>.cairn/cache/ab/cdef...</c>, BLAKE3). Every entry is written to
/// a temp file, checked against its digest and renamed into place, so a killed process leaves
/// only temp files, never a wrong entry. Entries are read-only; the workspace gets copies
/// (in-kernel copies, which cloning file systems serve as reflinks), never links it could modify the cache through.
/// </summary>
public sealed class DataCache
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Writable = ReadOnly | UnixFileMode.UserWrite;

    public string Root { get; }
    private readonly string _temp;

    public DataCache(string root, string temp)
    {
        Root = root;
        _temp = temp;
    }

    public string PathOf(string hex) => DataPathRules.IsObjectDigest(hex)
        ? Path.Combine(Root, hex[..2], hex[2..])
        : throw new UnsafeDataException($"'{DataPathRules.Printable(hex)}' is not an object digest (64 lowercase hex digits).");

    public bool Contains(string hex) => File.Exists(PathOf(hex));

    /// <summary>Copies a workspace file in, hashing the bytes as they are written; returns the digest and size.</summary>
    public (string Hex, long Size) AddFile(string source)
    {
        var temp = NewTemp();
        try
        {
            (string Hex, long Size) result;
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                result = ContentHash.Copy(input, output, input.Length);
            Commit(temp, result.Hex);
            return result;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Stores bytes (a folder manifest) and returns their digest.</summary>
    public string AddBytes(ReadOnlySpan<byte> bytes)
    {
        var hex = ContentHash.OfBytes(bytes);
        if (Contains(hex)) return hex;
        var temp = NewTemp();
        try
        {
            File.WriteAllBytes(temp, bytes.ToArray());
            Commit(temp, hex);
        }
        finally
        {
            File.Delete(temp);
        }
        return hex;
    }

    /// <summary>
    /// Brings in an object from elsewhere (a remote): <paramref name="download"/> writes it to a
    /// temp file, which enters the cache only if it hashes to <paramref name="hex"/>.
    /// </summary>
    /// <exception cref="CairnException">INVALID_STATE when the bytes do not match the digest.</exception>
    public async Task ImportAsync(string hex, Func<string, Task> download, string from)
    {
        var temp = NewTemp();
        try
        {
            await download(temp).ConfigureAwait(false);
            var (actual, _) = ContentHash.OfFile(temp);
            if (actual != hex)
                throw CairnException.InvalidState($"The object {hex} in {from} is corrupt: its content hashes to {actual}. It was not used; push it again from a workspace that has it.");
            Commit(temp, hex);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Writes a cache entry to <paramref name="target"/>, replacing what is there in one rename.
    /// The entry is hashed first: a damaged one never reaches the workspace.
    /// </summary>
    /// <exception cref="CairnException">INVALID_STATE when the entry is damaged (it is then removed from the cache).</exception>
    public void CopyOut(string hex, string target)
    {
        var source = PathOf(hex);
        if (!File.Exists(source))
            throw CairnException.NotFound($"Object {hex} (for {target}) is not in the cache: run `cairn data pull` to fetch it from a remote.");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.cairn-tmp");
        try
        {
            // The entry is hashed (usually from the page cache), then copied in the kernel
            // (copy_file_range; a reflink where the file system clones): 3x faster on 1 GB than
            // hashing the bytes on their way through user space, or hashing the copy, whose pages a
            // clone does not share.
            var (actual, _) = ContentHash.OfFile(source);
            if (actual != hex) throw Damaged(hex, actual, target);
            File.Copy(source, temp);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, Writable);
            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>An entry's bytes, checked against its digest.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when absent; INVALID_STATE when damaged (then removed).</exception>
    public byte[] ReadVerified(string hex, string describe)
    {
        var bytes = ReadAllBytes(hex);
        var actual = ContentHash.OfBytes(bytes);
        return actual == hex ? bytes : throw Damaged(hex, actual, describe);
    }

    /// <summary>Checks an entry against its digest before it leaves the cache (a push).</summary>
    /// <exception cref="CairnException">INVALID_STATE when damaged (then removed).</exception>
    public void Verify(string hex)
    {
        var (actual, _) = ContentHash.OfFile(PathOf(hex));
        if (actual != hex) throw Damaged(hex, actual, "a push");
    }

    /// <summary>
    /// A damaged entry is worth nothing and would hide the good copy a pull can bring: it is
    /// removed, and the error says so.
    /// </summary>
    private CairnException Damaged(string hex, string actual, string usedFor)
    {
        try { File.Delete(PathOf(hex)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return CairnException.InvalidState($"The cache object {hex} (for {usedFor}) is damaged: its content hashes to {actual}. " +
            "It was not used and has been removed from the cache; run `cairn data pull` to fetch a good copy from a remote.");
    }

    /// <summary>
    /// Removes temp files that a killed command left: a temp file being written is touched all the
    /// time, so one untouched for <paramref name="age"/> belongs to no running command.
    /// </summary>
    public int RemoveStaleTemp(DateTimeOffset now, TimeSpan age)
    {
        if (!Directory.Exists(_temp)) return 0;
        var removed = 0;
        foreach (var file in new DirectoryInfo(_temp).EnumerateFiles())
        {
            if (!IsTempName(file.Name) || now - file.LastWriteTimeUtc < age) continue;
            try
            {
                file.Delete();
                removed++;
            }
            catch (IOException) { }
        }
        return removed;
    }

    /// <summary>Our temp names: a GUID (an object on its way in), or a GUID suffix (a file saved by rename, such as the stat cache).</summary>
    private static bool IsTempName(string name)
    {
        var guid = name[(name.LastIndexOf('.') + 1)..];
        return guid.Length == 32 && guid.All(char.IsAsciiHexDigitLower);
    }

    private byte[] ReadAllBytes(string hex) => Contains(hex)
        ? File.ReadAllBytes(PathOf(hex))
        : throw CairnException.NotFound($"Object {hex} is not in the cache: run `cairn data pull` to fetch it from a remote.");

    /// <summary>Every digest in the cache.</summary>
    public IEnumerable<string> All()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            var prefix = Path.GetFileName(folder);
            if (prefix.Length != 2) continue;
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var hex = prefix + Path.GetFileName(file);
                if (hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower)) yield return hex;
            }
        }
    }

    public long Remove(string hex)
    {
        var path = PathOf(hex);
        var size = new FileInfo(path).Length;
        File.Delete(path);
        return size;
    }

    private string NewTemp()
    {
        Directory.CreateDirectory(_temp);
        return Path.Combine(_temp, Guid.NewGuid().ToString("N"));
    }

    private void Commit(string temp, string hex)
    {
        var target = PathOf(hex);
        if (File.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, ReadOnly);
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another process stored the same content first: same bytes, nothing to do.
        }
    }
}
