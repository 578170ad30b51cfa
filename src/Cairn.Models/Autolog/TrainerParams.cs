using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Cairn.Models;

/// <summary>
/// Finds the trainer of an ML.NET pipeline and reads its options as run params. ML.NET keeps both
/// private (a chain's estimators, a trainer's options), so they are read by reflection, by type
/// rather than by field name where possible.
/// </summary>
public static class TrainerParams
{
    /// <summary>The last trainer in <paramref name="pipeline"/> (an estimator chain or a single trainer).</summary>
    /// <exception cref="CairnException">The pipeline has no trainer.</exception>
    public static object FindTrainer(IEstimator<ITransformer> pipeline)
    {
        var trainer = Estimators(pipeline).LastOrDefault(IsTrainer);
        return trainer ?? throw CairnException.InvalidParameter(
            $"The pipeline ({Describe(pipeline)}) has no trainer: append one (e.g. ml.Regression.Trainers.FastTree()) before training and logging it.");
    }

    /// <summary>The trainer's options object (the <c>Options</c> it was built with), or null if it keeps none.</summary>
    public static TrainerInputBase? Options(object trainer)
    {
        for (var type = trainer.GetType(); type is not null; type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (typeof(TrainerInputBase).IsAssignableFrom(field.FieldType) && field.GetValue(trainer) is TrainerInputBase options)
                    return options;
        return null;
    }

    /// <summary>
    /// <c>trainer</c> (the type name) and <c>trainer.&lt;Option&gt;</c> for every public option that is
    /// a number, bool, enum or string (nulls left out), formatted as the run's params are.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Of(object trainer)
    {
        var result = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["trainer"] = trainer.GetType().Name };
        if (Options(trainer) is not { } options) return result;
        foreach (var member in options.GetType().GetMembers(BindingFlags.Instance | BindingFlags.Public))
        {
            var (type, value) = member switch
            {
                FieldInfo f => (f.FieldType, f.GetValue(options)),
                PropertyInfo { CanRead: true } p when p.GetIndexParameters().Length == 0 => (p.PropertyType, p.GetValue(options)),
                _ => (null, null),
            };
            if (type is null || value is null || !IsSimple(Nullable.GetUnderlyingType(type) ?? type)) continue;
            result[$"trainer.{member.Name}"] = value is Enum ? value.ToString() : value;
        }
        return result;
    }

    /// <summary>The label column the trainer reads, if its options name one.</summary>
    public static string? LabelColumn(object trainer) => Options(trainer) is TrainerInputBaseWithLabel withLabel ? withLabel.LabelColumnName : null;

    private static bool IsSimple(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);

    private static bool IsTrainer(object estimator) => estimator.GetType().GetInterfaces()
        .Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITrainerEstimator<,>));

    /// <summary>The estimators of a chain in order (chains nest when a chain is appended to another).</summary>
    private static IEnumerable<object> Estimators(object estimator)
    {
        if (!IsChain(estimator))
        {
            yield return estimator;
            yield break;
        }
        // EstimatorChain exposes only its last estimator; the others sit in a private array.
        var all = estimator.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .FirstOrDefault(f => f.FieldType.IsArray && typeof(IEstimator<ITransformer>).IsAssignableFrom(f.FieldType.GetElementType()))?
            .GetValue(estimator) as Array;
        var items = all?.Cast<object>() ?? [estimator.GetType().GetField("LastEstimator")?.GetValue(estimator)!];
        foreach (var item in items.Where(i => i is not null))
            foreach (var inner in Estimators(item))
                yield return inner;
    }

    private static bool IsChain(object estimator) =>
        estimator.GetType().IsGenericType && estimator.GetType().GetGenericTypeDefinition() == typeof(EstimatorChain<>);

    private static string Describe(object pipeline)
    {
        var names = Estimators(pipeline).Select(e => e.GetType().Name).ToList();
        return names.Count == 0 ? "empty" : string.Join(" -> ", names);
    }
}
