using System.Runtime.CompilerServices;
using Cairn.Data;

namespace Cairn.Quality.Tables;

/// <summary>
/// One CSV or Parquet file of a data source, with the name messages give it, and the path whose
/// extension says its format (a dataset version's file in the data cache has none of its own).
/// </summary>
public sealed record DataFile(string Path, string Name, string? FormatPath = null)
{
    public bool IsParquet => new[] { Path, Name, FormatPath }.Any(p => p?.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) == true);
}

/// <summary>
/// Tabular data to check: a CSV or Parquet file, or a dataset version (<c>data:/name@N</c>) whose
/// file, or whose folder of CSV/Parquet files, is read from the data cache. Several files are read
/// one after the other as one table and must have the same columns.
/// </summary>
public sealed class DataSource
{
    public string Description { get; }
    public IReadOnlyList<DataFile> Files { get; }

    public DataSource(string description, IReadOnlyList<DataFile> files)
    {
        if (files.Count == 0) throw CairnException.InvalidParameter($"{description} holds no CSV or Parquet file.");
        Description = description;
        Files = files;
    }

    /// <summary>A CSV (<c>.csv</c>) or Parquet (<c>.parquet</c>) file on disk.</summary>
    /// <param name="baseDirectory">What a relative path is relative to (default: the current folder).</param>
    public static DataSource FromFile(string path, string? baseDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CairnException.InvalidParameter("No data file was given.");
        string full;
        try
        {
            full = Path.GetFullPath(path, Path.GetFullPath(baseDirectory ?? Directory.GetCurrentDirectory()));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw CairnException.InvalidParameter($"'{path}' is not a usable file path: {e.Message}");
        }
        if (Directory.Exists(full)) throw CairnException.InvalidParameter($"'{path}' is a folder: give a CSV or Parquet file, or a dataset version data:/<name>@<version>.");
        if (!File.Exists(full)) throw CairnException.InvalidParameter($"The data file '{path}' does not exist.");
        if (!DataVersionFiles.IsTabular(path))
            throw CairnException.InvalidParameter($"'{path}' is neither CSV nor Parquet: name the file .csv or .parquet.");
        return new DataSource(path, [new DataFile(full, path)]);
    }

    /// <summary>
    /// A file path, or a <c>data:/</c> URI resolved through <paramref name="client"/>'s dataset
    /// store and the data cache of the git workspace that contains <paramref name="workspaceDirectory"/>.
    /// </summary>
    public static async Task<DataSource> ResolveAsync(string pathOrUri, CairnClient? client, string? workspaceDirectory, CancellationToken ct = default)
    {
        if (!DataUri.IsDataUri(pathOrUri)) return FromFile(pathOrUri, workspaceDirectory);
        if (client is null) throw CairnException.InvalidParameter($"{pathOrUri} names a dataset version: a tracking store is needed to resolve it.");
        return await DataVersionFiles.ResolveAsync(DataUri.Parse(pathOrUri), client.Datasets, workspaceDirectory ?? Directory.GetCurrentDirectory(), ct).ConfigureAwait(false);
    }

    /// <summary>Opens the files as one table.</summary>
    public async Task<ITableReader> OpenAsync(CancellationToken ct = default)
    {
        var first = await OpenFileAsync(Files[0], ct).ConfigureAwait(false);
        return Files.Count == 1 ? first : new ConcatenatedReader(this, first);
    }

    internal static async Task<ITableReader> OpenFileAsync(DataFile file, CancellationToken ct) =>
        file.IsParquet
            ? await ParquetTableReader.OpenAsync(file.Path, file.Name, ct).ConfigureAwait(false)
            : CsvTableReader.Open(file.Path, file.Name);

    /// <summary>The files of a source read in turn; each must have the first one's columns.</summary>
    private sealed class ConcatenatedReader : ITableReader
    {
        private readonly DataSource source;
        private readonly ITableReader first;
        private ITableReader? _current;

        public ConcatenatedReader(DataSource source, ITableReader first)
        {
            this.source = source;
            this.first = first;
            _current = first;
            Fields = first.Fields;
        }

        public string Source => source.Description;
        public IReadOnlyList<TableField> Fields { get; }

        public async IAsyncEnumerable<TableBatch> ReadAsync(IReadOnlySet<int> fields, [EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; i < source.Files.Count; i++)
            {
                var reader = i == 0 ? first : await OpenFileAsync(source.Files[i], ct).ConfigureAwait(false);
                _current = reader;
                try
                {
                    var names = reader.Fields.Select(f => f.Name).ToList();
                    if (!names.SequenceEqual(Fields.Select(f => f.Name)))
                        throw CairnException.InvalidParameter($"{source.Files[i].Name} has the columns {string.Join(", ", names)}, but {source.Files[0].Name} has {string.Join(", ", Fields.Select(f => f.Name))}: the files of one table must have the same columns.");
                    await foreach (var batch in reader.ReadAsync(fields, ct).ConfigureAwait(false)) yield return batch;
                }
                finally
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                    _current = null;
                }
            }
        }

        public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
