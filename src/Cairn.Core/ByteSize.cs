using System.Globalization;

namespace Cairn;

/// <summary>Sizes for people: B, KB, MB, GB (powers of 1024), invariant culture.</summary>
public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0 'KB'", CultureInfo.InvariantCulture),
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0 'MB'", CultureInfo.InvariantCulture),
        _ => (bytes / 1073741824.0).ToString("0.00 'GB'", CultureInfo.InvariantCulture),
    };
}
