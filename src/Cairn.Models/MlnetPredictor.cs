using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models;

/// <summary>The <c>mlnet</c> flavor: an ML.NET transformer chain saved with <c>Model.Save</c>.</summary>
public sealed class MlnetPredictor : IModelPredictor
{
    /// <summary>The columns ML.NET's trainers add, which are a model's outputs when present.</summary>
    private static readonly string[] PredictionColumns = ["PredictedLabel", "Score", "Probability"];

    /// <summary>The ML.NET context the model was loaded with.</summary>
    public MLContext Context { get; }
    /// <summary>The loaded transformer chain.</summary>
    public ITransformer Model { get; }
    /// <summary>The input schema saved with the model (every column it was trained on, label included).</summary>
    public DataViewSchema InputSchema { get; }
    /// <summary>The package's signature, or one inferred from the model's schema when the package has none.</summary>
    public ModelSignature Signature { get; }
    /// <inheritdoc />
    public string Flavor => ModelManifest.MlnetFlavor;

    /// <summary>Loads an ML.NET model zip.</summary>
    /// <param name="modelZip">The path of the zip saved with <c>Model.Save</c>.</param>
    /// <param name="packageSignature">The signature recorded in the package, which may leave out schema columns such as the label.</param>
    /// <param name="context">The ML.NET context to load into; null for a new one.</param>
    /// <exception cref="CairnException">The file is not a loadable ML.NET model, or it needs a component not referenced here.</exception>
    public MlnetPredictor(string modelZip, ModelSignature? packageSignature = null, MLContext? context = null)
    {
        Context = context ?? new MLContext();
        DataViewSchema inputSchema;
        try
        {
            Model = Context.Model.Load(modelZip, out inputSchema);
        }
        catch (Exception e) when (e.GetBaseException() is FileNotFoundException missing)
        {
            throw CairnException.InvalidParameter(
                $"This ML.NET model needs a component that is not available here ({missing.FileName?.Split(',')[0]}). Reference its NuGet package in the program that loads the model.");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or System.Reflection.TargetInvocationException)
        {
            throw CairnException.InvalidParameter($"The file is not an ML.NET model that this version can load: {e.GetBaseException().Message}");
        }
        InputSchema = inputSchema;
        Signature = packageSignature is { Inputs.Count: > 0 } ? packageSignature : InferSignature(Model, inputSchema);
        _required = Signature.Inputs.Select(i => i.Name).ToHashSet();
    }

    private readonly HashSet<string> _required;

    /// <summary>A typed, single-row engine for C# callers who have the input and output classes.</summary>
    public PredictionEngine<TIn, TOut> CreateEngine<TIn, TOut>() where TIn : class where TOut : class, new() =>
        Context.Model.CreatePredictionEngine<TIn, TOut>(Model, InputSchema);

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var scored = Model.Transform(ToDataView(rows));
        var outputs = Signature.Outputs.Select(o => scored.Schema[o.Name]).ToList();
        var results = new List<IReadOnlyDictionary<string, object?>>(rows.Count);
        using var cursor = scored.GetRowCursor(outputs);
        var getters = outputs.Select(c => Getter(cursor, c)).ToList();
        while (cursor.MoveNext())
        {
            var row = new Dictionary<string, object?>(outputs.Count);
            for (var i = 0; i < outputs.Count; i++) row[outputs[i].Name] = getters[i]();
            results.Add(row);
        }
        return results;
    }

    /// <summary>Rows as an ML.NET data view with the model's input schema (validated by column name and type).</summary>
    public IDataView ToDataView(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => new RowsDataView(InputSchema, rows, _required);

    private static Func<object?> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        switch (column.Type)
        {
            case NumberDataViewType t when t.RawType == typeof(float):
            {
                var get = cursor.GetGetter<float>(column);
                return () => { float v = 0; get(ref v); return v; };
            }
            case NumberDataViewType t when t.RawType == typeof(double):
            {
                var get = cursor.GetGetter<double>(column);
                return () => { double v = 0; get(ref v); return v; };
            }
            case BooleanDataViewType:
            {
                var get = cursor.GetGetter<bool>(column);
                return () => { var v = false; get(ref v); return v; };
            }
            case NumberDataViewType t when t.RawType == typeof(uint):
            {
                var get = cursor.GetGetter<uint>(column);
                return () => { uint v = 0; get(ref v); return v; };
            }
            case TextDataViewType:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return () => { ReadOnlyMemory<char> v = default; get(ref v); return v.ToString(); };
            }
            case KeyDataViewType:
            {
                var get = cursor.GetGetter<uint>(column);
                return () => { uint v = 0; get(ref v); return v; };
            }
            case VectorDataViewType { ItemType: NumberDataViewType item } when item.RawType == typeof(float):
            {
                var get = cursor.GetGetter<VBuffer<float>>(column);
                return () => { VBuffer<float> v = default; get(ref v); return v.DenseValues().ToArray(); };
            }
            default:
                throw CairnException.InvalidParameter($"Output '{column.Name}' has type {column.Type}, which Cairn cannot read yet.");
        }
    }

    /// <summary>Inputs: the visible columns of the input schema. Outputs: the trainer's prediction columns (or every new column).</summary>
    public static ModelSignature InferSignature(ITransformer model, DataViewSchema inputSchema)
    {
        var inputs = inputSchema.Where(c => !c.IsHidden).Select(ToSpec).ToList();
        var outputSchema = model.GetOutputSchema(inputSchema);
        var added = outputSchema.Where(c => !c.IsHidden && inputSchema.GetColumnOrNull(c.Name) is null).ToList();
        var predictions = added.Where(c => PredictionColumns.Contains(c.Name)).ToList();
        return new ModelSignature(inputs, (predictions.Count > 0 ? predictions : added).Select(ToSpec).ToList());
    }

    private static ColumnSpec ToSpec(DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType t when t.RawType == typeof(float) => new ColumnSpec(column.Name, "float"),
        NumberDataViewType t when t.RawType == typeof(double) => new ColumnSpec(column.Name, "double"),
        NumberDataViewType t when t.RawType == typeof(int) => new ColumnSpec(column.Name, "integer"),
        NumberDataViewType t when t.RawType == typeof(long) => new ColumnSpec(column.Name, "long"),
        NumberDataViewType t when t.RawType == typeof(uint) => new ColumnSpec(column.Name, "long"),
        KeyDataViewType => new ColumnSpec(column.Name, "long"),
        BooleanDataViewType => new ColumnSpec(column.Name, "boolean"),
        TextDataViewType => new ColumnSpec(column.Name, "string"),
        DateTimeDataViewType => new ColumnSpec(column.Name, "datetime"),
        VectorDataViewType v => new ColumnSpec(column.Name, "tensor", v.ItemType.RawType == typeof(double) ? "float64" : "float32", [-1, v.Size]),
        _ => new ColumnSpec(column.Name, "string"),
    };

    /// <summary>Does nothing: an ML.NET model holds no unmanaged resources.</summary>
    public void Dispose() { }
}
