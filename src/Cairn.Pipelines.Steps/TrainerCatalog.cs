using System.Globalization;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// ML.NET's binary classification trainers by name (LightGbm, FastTree, FastForest,
/// SdcaLogisticRegression, LbfgsLogisticRegression, ...): the catalog's methods that take an
/// Options object, found by reflection, with options set by name from text.
/// </summary>
public static class TrainerCatalog
{
    private static readonly Lazy<IReadOnlyDictionary<string, MethodInfo>> Methods = new(Find);

    /// <summary>Options the step sets itself: the columns it builds.</summary>
    private static readonly string[] Reserved = ["LabelColumnName", "FeatureColumnName", "ExampleWeightColumnName", "RowGroupColumnName"];

    public static IReadOnlyCollection<string> Names => Methods.Value.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The trainer <paramref name="name"/> with <paramref name="options"/> applied; unknown names and options throw with the valid ones.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml, string name, IReadOnlyDictionary<string, string> options, string labelColumn, string featureColumn)
    {
        if (!Methods.Value.TryGetValue(name, out var method))
            throw new ArgumentException($"'{name}' is not a binary classification trainer; the trainers are {string.Join(", ", Names)}.");
        var optionsType = method.GetParameters()[1].ParameterType;
        var instance = Activator.CreateInstance(optionsType)!;
        Set(instance, "LabelColumnName", labelColumn);
        Set(instance, "FeatureColumnName", featureColumn);
        var settable = Settable(optionsType);
        foreach (var (key, text) in options)
        {
            var member = settable.FirstOrDefault(m => Normalize(m.Name) == Normalize(key))
                ?? throw new ArgumentException($"'{key}' is not an option of {name}; its options are {string.Join(", ", settable.Select(m => m.Name).Order(StringComparer.Ordinal))}.");
            var type = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
            object? value;
            try
            {
                value = Parse(text, Nullable.GetUnderlyingType(type) ?? type);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new ArgumentException($"the option {member.Name} of {name} is a {Describe(type)}, and '{text}' is not one.");
            }
            if (member is FieldInfo field) field.SetValue(instance, value);
            else ((PropertyInfo)member).SetValue(instance, value);
        }
        return (IEstimator<ITransformer>)method.Invoke(null, [ml.BinaryClassification.Trainers, instance])!;
    }

    /// <summary>Options of simple types (numbers, booleans, text, enums): what a pipeline file can write.</summary>
    private static List<MemberInfo> Settable(Type optionsType) =>
        optionsType.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly && IsSimple(f.FieldType)).Cast<MemberInfo>()
            .Concat(optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic && IsSimple(p.PropertyType)))
            .Where(m => !Reserved.Contains(m.Name)).ToList();

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : type == typeof(bool) ? "true or false" : type.Name.ToLowerInvariant();
    }

    private static object Parse(string text, Type type) =>
        type.IsEnum ? Enum.Parse(type, text, ignoreCase: true)
        : type == typeof(bool) ? bool.Parse(text)
        : type == typeof(string) ? text
        : Convert.ChangeType(text, type, CultureInfo.InvariantCulture);

    private static void Set(object options, string name, string value)
    {
        var type = options.GetType();
        if (type.GetField(name) is { } f) f.SetValue(options, value);
        else type.GetProperty(name)?.SetValue(options, value);
    }

    private static IReadOnlyDictionary<string, MethodInfo> Find()
    {
        var catalog = typeof(BinaryClassificationCatalog.BinaryClassificationTrainers);
        var assemblies = new[] { typeof(StandardTrainersCatalog).Assembly, typeof(TreeExtensions).Assembly, typeof(LightGbmExtensions).Assembly };
        var found = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (var type in assemblies.SelectMany(a => a.GetExportedTypes()).Where(t => t.IsAbstract && t.IsSealed))
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
            {
                var p = m.GetParameters();
                if (p.Length == 2 && p[0].ParameterType == catalog && p[1].ParameterType.GetConstructor(Type.EmptyTypes) is not null
                    && p[1].ParameterType.GetField("LabelColumnName") is not null
                    && typeof(IEstimator<ITransformer>).IsAssignableFrom(m.ReturnType))
                    found[m.Name] = m;
            }
        return found;
    }
}
