using System.Buffers;

namespace Cairn.Data;

/// <summary>
/// Streaming BLAKE3 of files with bounded memory. Large files go through a three-stage pipeline
/// (read ahead, hash, write behind) on three pooled 16 MB buffers, so the hash costs little more
/// than the slowest of reading and writing.
/// </summary>
public static class ContentHash
{
    /// <summary>Large spans let the SIMD hasher work on many chunks at once (and in parallel); 16 MB hashes ~1.7x faster than 1 MB here.</summary>
    public const int MaxBuffer = 16 * 1024 * 1024;

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Blake3.Hasher.Hash(bytes).ToString();

    /// <summary>The hex digest and size of a file.</summary>
    public static (string Hex, long Size) OfFile(string path)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return Copy(input, null, input.Length);
    }

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/> (when given) and hashes exactly the bytes written.</summary>
    public static (string Hex, long Size) Copy(Stream input, Stream? output, long lengthHint) =>
        lengthHint > 2L * MaxBuffer ? Pipelined(input, output) : Serial(input, output, lengthHint);

    private static (string Hex, long Size) Serial(Stream input, Stream? output, long lengthHint)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(lengthHint, 64 * 1024, MaxBuffer));
        try
        {
            using var hasher = Blake3.Hasher.New();
            long size = 0;
            int read;
            while ((read = Fill(input, buffer)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, read));
                output?.Write(buffer, 0, read);
                size += read;
            }
            return (hasher.Finalize().ToString(), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Buffer k is hashed while k+1 is read and k-1 is written. Buffer k+1 was last used by the
    /// write of k-2, which finished before the write of k-1 began.
    /// </summary>
    private static (string Hex, long Size) Pipelined(Stream input, Stream? output)
    {
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(MaxBuffer), ArrayPool<byte>.Shared.Rent(MaxBuffer), ArrayPool<byte>.Shared.Rent(MaxBuffer) };
        var writing = Task.CompletedTask;
        var reading = Task.FromResult(0);
        try
        {
            using var hasher = Blake3.Hasher.New();
            long size = 0;
            reading = Task.FromResult(Fill(input, buffers[0]));
            for (var k = 0; ; k = (k + 1) % 3)
            {
                var read = reading.GetAwaiter().GetResult();
                if (read == 0) break;
                var ahead = buffers[(k + 1) % 3];
                reading = Task.Run(() => Fill(input, ahead));
                hasher.UpdateWithJoin(buffers[k].AsSpan(0, read));
                size += read;
                writing.GetAwaiter().GetResult();
                if (output is not null)
                {
                    var current = buffers[k];
                    writing = Task.Run(() => output.Write(current, 0, read));
                }
            }
            writing.GetAwaiter().GetResult();
            return (hasher.Finalize().ToString(), size);
        }
        finally
        {
            // Never return a buffer that a read or write still uses.
            try { Task.WaitAll(reading, writing); } catch (AggregateException) { }
            foreach (var buffer in buffers) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Fill(Stream input, byte[] buffer)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = input.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return total;
    }
}
