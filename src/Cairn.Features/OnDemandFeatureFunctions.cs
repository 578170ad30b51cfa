using System.Reflection;
using System.Runtime.Loader;

namespace Cairn.Features;

/// <summary>
/// The on-demand feature functions a process can run, by name: registered in C# (embedded use) or
/// loaded once from an assembly (<c>--feature-functions path.dll</c> of the hosts).
/// </summary>
public sealed class OnDemandFeatureFunctions
{
    private readonly Dictionary<string, IOnDemandFeatureFunction> _byName = new(StringComparer.Ordinal);

    /// <summary>No functions: on-demand features are refused with a message that says how to load them.</summary>
    public static readonly OnDemandFeatureFunctions None = new([]);

    /// <summary>Where the functions came from, for messages (an assembly path, or "registered in code").</summary>
    public string Origin { get; }

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when two functions share a name or one has none.</exception>
    public OnDemandFeatureFunctions(IEnumerable<IOnDemandFeatureFunction> functions, string origin = "registered in code")
    {
        Origin = origin;
        foreach (var function in functions)
        {
            if (string.IsNullOrWhiteSpace(function.Name)) throw CairnException.InvalidParameter($"An on-demand feature function ({function.GetType().FullName}, {origin}) has no name.");
            if (!_byName.TryAdd(function.Name, function))
                throw CairnException.InvalidParameter($"Two on-demand feature functions are named '{function.Name}' ({origin}): {_byName[function.Name].GetType().FullName} and {function.GetType().FullName}.");
        }
    }

    /// <summary>The names of the functions, in order.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The function <paramref name="name"/> that the on-demand view <paramref name="view"/> names.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the function and the loaded ones.</exception>
    public IOnDemandFeatureFunction Get(string name, string view) =>
        _byName.TryGetValue(name, out var function) ? function
            : throw CairnException.InvalidParameter(_byName.Count == 0
                ? $"On-demand feature view '{view}' needs the function '{name}', but no feature functions are loaded: give the assembly that holds it with --feature-functions path.dll."
                : $"On-demand feature view '{view}' needs the function '{name}', which is not among the loaded feature functions ({Origin}): {string.Join(", ", Names)}.");

    /// <summary>Checks that every on-demand view of <paramref name="repository"/> has its function (hosts call it at start).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for the first missing one.</exception>
    public void EnsureAll(FeatureRepository repository)
    {
        foreach (var view in repository.OnDemandViews ?? []) Get(view.Function, view.Name);
    }

    /// <summary>Checks that the on-demand features of the service <paramref name="service"/> have their functions (<c>cairn serve</c> calls it before serving).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for the first missing one.</exception>
    public void EnsureService(FeatureRepository repository, string service)
    {
        var views = repository.Services.FirstOrDefault(s => s.Name == service)?.Features.Select(f => f.View).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var view in (repository.OnDemandViews ?? []).Where(v => views.Contains(v.Name))) Get(view.Function, view.Name);
    }

    /// <summary>
    /// Every public, concrete <see cref="IOnDemandFeatureFunction"/> of the assembly at <paramref name="path"/>,
    /// each made with its parameterless constructor. The assembly gets a load context of its own
    /// whose dependencies fall back to the ones this process already has (Cairn's among them).
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the file is missing or not an assembly, holds no function, or a function cannot be made.</exception>
    public static OnDemandFeatureFunctions LoadAssembly(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw CairnException.InvalidParameter($"--feature-functions: there is no assembly at {full}.");
        Assembly assembly;
        Type[] types;
        try
        {
            assembly = new FunctionLoadContext(full).LoadFromAssemblyPath(full);
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException)
        {
            throw CairnException.InvalidParameter($"--feature-functions: {full} cannot be loaded as a .NET assembly ({e.Message}).");
        }
        var functions = new List<IOnDemandFeatureFunction>();
        foreach (var type in types.Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false } && typeof(IOnDemandFeatureFunction).IsAssignableFrom(t)))
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
                throw CairnException.InvalidParameter($"--feature-functions: {type.FullName} in {full} has no public parameterless constructor, so it cannot be made.");
            try
            {
                functions.Add((IOnDemandFeatureFunction)Activator.CreateInstance(type)!);
            }
            catch (TargetInvocationException e)
            {
                throw CairnException.InvalidParameter($"--feature-functions: the constructor of {type.FullName} failed: {e.InnerException?.Message ?? e.Message}");
            }
        }
        if (functions.Count == 0) throw CairnException.InvalidParameter($"--feature-functions: {full} has no public class implementing {nameof(IOnDemandFeatureFunction)}.");
        return new OnDemandFeatureFunctions(functions, full);
    }

    /// <summary>Loads the functions' own dependencies from beside them; anything the process already has (Cairn.Features above all) is shared, so the interface is the same type.</summary>
    private sealed class FunctionLoadContext(string path) : AssemblyLoadContext("cairn-feature-functions")
    {
        private readonly string _folder = Path.GetDirectoryName(path)!;

        protected override Assembly? Load(AssemblyName name)
        {
            if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName()))) return null;
            try
            {
                return Default.LoadFromAssemblyName(name);
            }
            catch (FileNotFoundException)
            {
                var beside = Path.Combine(_folder, name.Name + ".dll");
                return File.Exists(beside) ? LoadFromAssemblyPath(beside) : null;
            }
        }
    }
}
