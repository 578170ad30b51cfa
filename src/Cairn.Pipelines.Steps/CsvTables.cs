using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Pipelines.Steps;

/// <summary>Loads chosen columns of a CSV file with a header into an ML.NET data view, optionally keeping only the rows of a filter.</summary>
internal static class CsvTables
{
    public static IReadOnlyList<string> Header(string file)
    {
        using var reader = new StreamReader(file);
        return (reader.ReadLine() ?? "").Split(',').Select(h => h.Trim().Trim('"')).ToList();
    }

    /// <param name="columns">Column names with their kind (Single, String, Boolean); each must be in the header.</param>
    /// <param name="missing">Called with a column the file lacks, to build the error the caller wants.</param>
    public static IDataView Load(MLContext ml, string file, IReadOnlyList<(string Name, DataKind Kind)> columns, RowFilter? filter, Func<string, IReadOnlyList<string>, Exception> missing)
    {
        var header = Header(file);
        var loaderColumns = new List<TextLoader.Column>();
        foreach (var (name, kind) in columns.DistinctBy(c => c.Name))
        {
            var index = IndexOf(header, name);
            if (index < 0) throw missing(name, header);
            loaderColumns.Add(new TextLoader.Column(name, kind, index));
        }
        var view = ml.Data.LoadFromTextFile(file, new TextLoader.Options
        {
            Columns = loaderColumns.ToArray(), HasHeader = true, Separators = [','], AllowQuoting = true,
        });
        if (filter is null) return view;
        // Ranges are inclusive (month=1-2 keeps 2): the upper bound ML.NET excludes is set just above.
        var range = filter.Ranges.Single();
        return ml.Data.FilterRowsByColumn(view, filter.Column, range.Low, range.High + 1e-6);
    }

    public static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
            if (header[i] == name) return i;
        return -1;
    }
}
