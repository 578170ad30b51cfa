using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Pipelines;

/// <summary>
/// Reads <c>cairn.pipeline.yaml</c>. Every error names the file and line: an unknown key (a typo),
/// a value of the wrong shape, a malformed duration or size. The DAG itself is checked by
/// <see cref="PipelineGraph"/>.
/// </summary>
public static class PipelineYaml
{
    /// <summary>The largest pipeline file read, so a hostile file cannot exhaust memory.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly string[] TopKeys = ["name", "params", "steps"];
    private static readonly string[] StepKeys =
        ["run", "image", "uses", "assembly", "class", "with", "env", "outputs", "inputs", "code", "needs", "retries", "retry_backoff", "timeout", "resources", "cache"];

    public static PipelineDefinition Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw CairnException.NotFound($"There is no pipeline file at {path}.");
        if (info.Length > MaxFileBytes) throw CairnException.InvalidParameter($"{path} is {info.Length} bytes; a pipeline file may have at most {MaxFileBytes}.");
        return Parse(File.ReadAllText(path), path);
    }

    public static PipelineDefinition Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{file}:{e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw CairnException.InvalidParameter($"{file}: a pipeline file holds one mapping with 'name', 'params' and 'steps'.");
        var reader = new Reader(file);
        var keys = reader.Keys(root, TopKeys, "the pipeline");
        var name = keys.TryGetValue("name", out var n) ? reader.Scalar(n, "name") : Path.GetFileNameWithoutExtension(file).Replace(".pipeline", "", StringComparison.Ordinal);
        var parameters = keys.TryGetValue("params", out var p) ? reader.Parameters(p) : [];
        if (!keys.TryGetValue("steps", out var s)) throw CairnException.InvalidParameter($"{file}:{root.Start.Line}: the pipeline has no 'steps'.");
        var steps = reader.Mapping(s, "steps").Select(kv => reader.Step(reader.Scalar(kv.Key, "a step name"), kv.Key, kv.Value)).ToList();
        return new PipelineDefinition(name, parameters, steps) { SourceText = text, SourceFile = file };
    }

    private sealed class Reader(string file)
    {
        public SourceLocation At(YamlNode node) => new(file, (int)node.Start.Line);

        public CairnException Error(YamlNode node, string message) => CairnException.InvalidParameter($"{At(node)}: {message}.");

        public Dictionary<string, YamlNode> Keys(YamlNode node, string[] allowed, string what)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in Mapping(node, what))
            {
                var key = Scalar(k, "a key");
                if (!allowed.Contains(key))
                {
                    var near = allowed.OrderBy(a => Distance(a, key)).First();
                    throw Error(k, $"'{key}' is not a key of {what}" + (Distance(near, key) <= 2 ? $" (did you mean '{near}'?)" : $"; the keys are {string.Join(", ", allowed)}"));
                }
                if (!result.TryAdd(key, v)) throw Error(k, $"'{key}' is given twice in {what}");
            }
            return result;
        }

        public IEnumerable<KeyValuePair<YamlNode, YamlNode>> Mapping(YamlNode node, string what) =>
            node is YamlMappingNode m ? m.Children : node is YamlScalarNode { Value: null or "" } ? [] : throw Error(node, $"{what} must be a mapping");

        public string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { } v } ? v : throw Error(node, $"{what} must be a single value");

        public IReadOnlyList<string> List(YamlNode node, string what) => node switch
        {
            YamlSequenceNode seq => seq.Children.Select(c => Scalar(c, $"each entry of {what}")).ToList(),
            YamlScalarNode { Value: null or "" } => [],
            YamlScalarNode sc => [sc.Value!],
            _ => throw Error(node, $"{what} must be a list"),
        };

        public IReadOnlyList<PipelineParameter> Parameters(YamlNode node)
        {
            var result = new List<PipelineParameter>();
            foreach (var (k, v) in Mapping(node, "params"))
            {
                var name = Scalar(k, "a parameter name");
                if (!PipelineExpressions.IsIdentifier(name)) throw Error(k, $"'{name}' is not a parameter name: use letters, digits, '_' and '-'");
                PipelineParameter parameter;
                if (v is YamlScalarNode scalar)
                {
                    // A bare default: the type follows from it.
                    var value = scalar.Value ?? "";
                    var type = long.TryParse(value, out _) ? ParameterType.Int
                        : double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _) ? ParameterType.Float
                        : value is "true" or "false" ? ParameterType.Bool : ParameterType.String;
                    parameter = new PipelineParameter(name, type, value, At(k));
                }
                else
                {
                    var keys = Keys(v, ["type", "default"], $"the parameter '{name}'");
                    var type = keys.TryGetValue("type", out var t) ? ParameterValues.ParseType(Scalar(t, "type"), At(t).ToString()) : ParameterType.String;
                    parameter = new PipelineParameter(name, type, keys.TryGetValue("default", out var d) ? Scalar(d, "default") : null, At(k));
                }
                if (parameter.Default is not null) ParameterValues.Check(parameter, parameter.Default);
                if (result.Any(x => x.Name == name)) throw Error(k, $"the parameter '{name}' is declared twice");
                result.Add(parameter);
            }
            return result;
        }

        public StepDefinition Step(string name, YamlNode key, YamlNode node)
        {
            var what = $"step '{name}'";
            var keys = Keys(node, StepKeys, what);
            string? Get(string key) => keys.TryGetValue(key, out var v) ? Scalar(v, $"'{key}' of {what}") : null;
            var kinds = new[] { "run", "image", "uses", "assembly" }.Where(keys.ContainsKey).ToList();
            var kind = (keys.ContainsKey("image"), keys.ContainsKey("uses"), keys.ContainsKey("assembly") || keys.ContainsKey("class"), keys.ContainsKey("run")) switch
            {
                (true, false, false, _) => StepKind.Container,
                (false, true, false, false) => StepKind.Builtin,
                (false, false, true, false) => StepKind.CSharp,
                (false, false, false, true) => StepKind.Shell,
                (false, false, false, false) => throw Error(key, $"{what} says nothing to run: give 'run' (a shell command), 'image' (a container), 'uses' (a built-in kind) or 'assembly' and 'class' (C#)"),
                _ => throw Error(key, $"{what} mixes {string.Join(" and ", kinds.Select(k => $"'{k}'"))}: a step has one kind"),
            };
            return new StepDefinition
            {
                Name = name,
                Kind = kind,
                Run = Get("run"),
                Image = Get("image"),
                Uses = Get("uses"),
                Assembly = Get("assembly"),
                Class = Get("class"),
                With = keys.TryGetValue("with", out var with) ? Values(with, $"'with' of {what}") : new Dictionary<string, string>(),
                Env = keys.TryGetValue("env", out var env) ? Values(env, $"'env' of {what}") : new Dictionary<string, string>(),
                Outputs = keys.TryGetValue("outputs", out var outputs) ? Outputs(outputs, what) : [],
                Inputs = keys.TryGetValue("inputs", out var inputs) ? List(inputs, "inputs") : [],
                Code = keys.TryGetValue("code", out var code) ? List(code, "code") : [],
                Needs = keys.TryGetValue("needs", out var needs) ? List(needs, "needs") : [],
                Retries = keys.TryGetValue("retries", out var r) ? Int(r, "retries") : 0,
                RetryBackoff = keys.TryGetValue("retry_backoff", out var b) ? Duration(b) : TimeSpan.FromSeconds(1),
                Timeout = keys.TryGetValue("timeout", out var t) ? Duration(t) : null,
                Resources = keys.TryGetValue("resources", out var res) ? Resources(res, what) : StepResources.None,
                Cache = !keys.TryGetValue("cache", out var c) || Bool(c, "cache"),
                Location = At(key),
            };
        }

        private Dictionary<string, string> Values(YamlNode node, string what)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in Mapping(node, what))
                result[Scalar(k, "a key")] = v is YamlScalarNode s ? s.Value ?? "" : JsonSerializer.Serialize(ToPlain(v));
            return result;
        }

        /// <summary>Nested values of <c>with</c> (trainer options, lists) travel to the step as JSON.</summary>
        private static object? ToPlain(YamlNode node) => node switch
        {
            YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ToPlain(kv.Value)),
            YamlSequenceNode s => s.Children.Select(ToPlain).ToList(),
            YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } when double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => b.Value == "true",
            YamlScalarNode s => s.Value,
            _ => null,
        };

        private List<StepOutput> Outputs(YamlNode node, string what)
        {
            var result = new List<StepOutput>();
            if (node is YamlSequenceNode names)
            {
                foreach (var n in names.Children) result.Add(new StepOutput(Scalar(n, $"each output of {what}"), null));
                return result;
            }
            foreach (var (k, v) in Mapping(node, $"'outputs' of {what}"))
            {
                var name = Scalar(k, "an output name");
                var path = v switch
                {
                    YamlScalarNode { Value: null or "" } => null,
                    YamlScalarNode s => s.Value,
                    _ => Keys(v, ["path"], $"the output '{name}'").TryGetValue("path", out var p) ? Scalar(p, "path") : null,
                };
                result.Add(new StepOutput(name, path));
            }
            return result;
        }

        private StepResources Resources(YamlNode node, string what)
        {
            var keys = Keys(node, ["cpu", "memory"], $"'resources' of {what}");
            double? cpus = null;
            long? memory = null;
            if (keys.TryGetValue("cpu", out var c))
                cpus = double.TryParse(Scalar(c, "cpu"), System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 4096
                    ? v : throw Error(c, "cpu must be a positive number such as 2 or 0.5");
            if (keys.TryGetValue("memory", out var m))
                memory = Quantities.ParseBytes(Scalar(m, "memory")) ?? throw Error(m, "memory must be a size such as 512Mi, 4Gi or 2G");
            return new StepResources(cpus, memory);
        }

        private int Int(YamlNode node, string what) =>
            int.TryParse(Scalar(node, what), out var v) && v >= 0 && v <= 100 ? v : throw Error(node, $"{what} must be a whole number from 0 to 100");

        private bool Bool(YamlNode node, string what) => Scalar(node, what) switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            _ => throw Error(node, $"{what} must be true or false"),
        };

        private TimeSpan Duration(YamlNode node) =>
            Quantities.ParseDuration(Scalar(node, "a duration")) ?? throw Error(node, "a duration is written like 90s, 5m, 1h30m or 2h");

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (var j = 0; j <= b.Length; j++) d[0, j] = j;
            for (var i = 1; i <= a.Length; i++)
                for (var j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }
    }
}
