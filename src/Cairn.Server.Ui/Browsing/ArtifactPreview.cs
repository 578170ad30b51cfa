using System.Text;
using System.Text.Json;
using Cairn.Artifacts;
using Parquet.Serialization;

namespace Cairn.Server.Ui.Browsing;

public enum PreviewKind { Text, Json, Table, Image, Binary, TooLarge }

/// <summary>What the artifact browser shows for a file: text, pretty JSON, the head of a table, an image, or nothing.</summary>
public sealed record ArtifactPreview(PreviewKind Kind, string? Text = null, IReadOnlyList<string>? Columns = null,
    IReadOnlyList<IReadOnlyList<string>>? Rows = null, string? Note = null)
{
    public const int HeadRows = 20;
    private const int TextBytes = 64 * 1024;
    private const long TableBytes = 64L * 1024 * 1024;

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".txt", ".md", ".log", ".yaml", ".yml", ".py", ".cs", ".xml", ".html", ".ini", ".toml", ".cfg", ".sh", ".sql", "" };
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg" };

    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path));

    /// <summary>Reads as much of the file as its preview needs (the first 64 KiB of text, the first 20 rows of a table).</summary>
    public static async Task<ArtifactPreview> ReadAsync(IArtifactStore store, string storePath, long? size, CancellationToken ct)
    {
        var extension = Path.GetExtension(storePath);
        if (IsImage(storePath)) return new ArtifactPreview(PreviewKind.Image);
        if (extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            if (size > TableBytes) return new ArtifactPreview(PreviewKind.TooLarge, Note: "This Parquet file is too large to preview here; download it.");
            return await ReadParquetAsync(store, storePath, ct).ConfigureAwait(false);
        }
        var (text, truncated) = await ReadTextAsync(store, storePath, ct).ConfigureAwait(false);
        if (text is null) return new ArtifactPreview(PreviewKind.Binary, Note: "Binary file: no preview; download it.");
        var note = truncated ? $"Showing the first {TextBytes / 1024} KiB." : null;
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase) && !truncated)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return new ArtifactPreview(PreviewKind.Json, JsonSerializer.Serialize(document.RootElement, Indented));
            }
            catch (JsonException)
            {
                return new ArtifactPreview(PreviewKind.Text, text, Note: "Not valid JSON; shown as text.");
            }
        }
        if (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) || extension.Equals(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            var lines = DelimitedText.Rows(text, extension.Equals(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',', HeadRows + 1);
            if (lines.Count > 0)
                return new ArtifactPreview(PreviewKind.Table, Columns: lines[0], Rows: lines.Skip(1).ToList(), Note: $"The first {HeadRows} rows at most.");
        }
        return new ArtifactPreview(PreviewKind.Text, text, Note: note);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static async Task<(string? Text, bool Truncated)> ReadTextAsync(IArtifactStore store, string storePath, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(storePath, ct).ConfigureAwait(false);
        var buffer = new byte[TextBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
            if (n == 0) break;
            read += n;
        }
        var truncated = read > TextBytes;
        var length = Math.Min(read, TextBytes);
        if (buffer.AsSpan(0, length).Contains((byte)0)) return (null, false);
        return (Encoding.UTF8.GetString(buffer, 0, length), truncated);
    }

    private static async Task<ArtifactPreview> ReadParquetAsync(IArtifactStore store, string storePath, CancellationToken ct)
    {
        // Parquet's footer is at the end: the reader needs a seekable stream.
        var copy = new MemoryStream();
        await using (var stream = await store.OpenReadAsync(storePath, ct).ConfigureAwait(false))
            await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
        copy.Position = 0;
        try
        {
            // The first row group is enough for the head, and bounds the memory a preview takes.
            var result = await ParquetSerializer.DeserializeUntypedAsync(copy, null, 0, ct).ConfigureAwait(false);
            var columns = result.Schema.GetDataFields().Select(f => f.Name).ToList();
            var rows = result.Data.Take(HeadRows)
                .Select(row => (IReadOnlyList<string>)columns.Select(c => row.TryGetValue(c, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "").ToList())
                .ToList();
            return new ArtifactPreview(PreviewKind.Table, Columns: columns, Rows: rows, Note: $"The first {rows.Count} rows of the first row group.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the Parquet reader makes of a damaged file, the page still shows, with why.
            return new ArtifactPreview(PreviewKind.Binary, Note: $"Could not read this file as Parquet: {e.Message}");
        }
    }
}
