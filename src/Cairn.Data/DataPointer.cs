using YamlDotNet.Core;

namespace Cairn.Data;

/// <summary>
/// The small file committed to git beside the data (<c>flights.parquet.cairn</c>): what the data
/// is (digest, size, file count, table summary), not the data itself.
/// </summary>
public sealed record DataPointer(string Name, string Kind, string Digest, long Size, long Files, TableSummary? Table)
{
    public const string Extension = ".cairn";
    public const string FileKind = "file";
    public const string DirectoryKind = "directory";

    public bool IsDirectory => Kind == DirectoryKind;

    /// <summary>The bare hex of <see cref="Digest"/>.</summary>
    public string Hex => Digest[DatasetNames.DigestPrefix.Length..];

    public string ToYaml() =>
        "# cairn data pointer: commit this file; the data is in .cairn/cache (cairn data push / pull / checkout)\n"
        + DataYaml.Writer.Serialize(new PointerDocument
        {
            Path = Name, Kind = Kind, Digest = Digest, Size = Size, Files = Files,
            Table = Table is null ? null : new TableDocument
            {
                Format = Table.Format, Rows = Table.Rows,
                Columns = Table.Columns.Select(c => new ColumnDocument { Name = c.Name, Type = c.Type }).ToList(),
            },
        });

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the file when it is not a valid pointer.</exception>
    public static DataPointer Parse(string yaml, string source)
    {
        PointerDocument? document;
        try
        {
            document = DataYaml.Reader.Deserialize<PointerDocument>(yaml);
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{source} is not a valid cairn pointer file (line {e.Start.Line}): {e.Message}");
        }
        if (document?.Path is not { Length: > 0 } name || document.Digest is not { } digest || document.Kind is not (FileKind or DirectoryKind))
            throw CairnException.InvalidParameter($"{source} is not a valid cairn pointer file: it needs path, kind (file or directory) and digest.");
        // The name is only ever the data's own file name; anything else was edited in, perhaps to mislead.
        if ((DataPathRules.WhyUnsafe(name) ?? (name.Contains('/') ? "it is not a plain file name" : null)) is { } why)
            throw new UnsafeDataException($"{source} names the path '{DataPathRules.Printable(name)}': {why}. A pointer describes the data beside it; fix or restore the pointer file.");
        var table = document.Table is { Format: { } format } t
            ? new TableSummary(format, t.Rows, (t.Columns ?? []).Select(c => new TableColumn(c.Name ?? "", c.Type ?? "")).ToList())
            : null;
        return new DataPointer(name, document.Kind, DatasetNames.NormalizeDigest(digest), document.Size, document.Files, table);
    }

    public static DataPointer Read(string pointerPath) => Parse(File.ReadAllText(pointerPath), pointerPath);

    private sealed class PointerDocument
    {
        public string? Path { get; set; }
        public string? Kind { get; set; }
        public string? Digest { get; set; }
        public long Size { get; set; }
        public long Files { get; set; }
        public TableDocument? Table { get; set; }
    }

    private sealed class TableDocument
    {
        public string? Format { get; set; }
        public long Rows { get; set; }
        public List<ColumnDocument>? Columns { get; set; }
    }

    private sealed class ColumnDocument
    {
        public string? Name { get; set; }
        public string? Type { get; set; }
    }
}
