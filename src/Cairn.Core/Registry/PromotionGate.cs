using System.Globalization;
using System.Text;

namespace Cairn.Registry;

/// <summary>
/// Whose value a gate reference reads: the version being promoted (or the run being gated), the
/// alias's current holder, or a model version named by URI (<see cref="GateReference.Model"/>).
/// </summary>
public enum GateScope { Candidate, Champion, Model }

/// <summary>A value a gate expression refers to, such as <c>champion.metrics.auc</c> or <c>models:/delay@champion.metrics.auc</c>.</summary>
/// <param name="Model">For <see cref="GateScope.Model"/>: the model URI, <c>models:/name@alias</c> or <c>models:/name/N</c>.</param>
public sealed record GateReference(GateScope Scope, string Kind, string Key, string? Model = null)
{
    public override string ToString() => Scope switch
    {
        GateScope.Champion => "champion.",
        GateScope.Model => Model + ".",
        _ => "",
    } + Kind + "." + Key;
}

/// <summary>The outcome of a gate: passed or not, and one line per comparison saying why.</summary>
public sealed record GateResult(bool Passed, IReadOnlyList<string> Details)
{
    public string Summary => string.Join("; ", Details);
}

/// <summary>
/// A promotion gate such as <c>metrics.auc &gt;= champion.metrics.auc - 0.005 and metrics.latency_ms &lt; 20</c>:
/// comparisons of arithmetic over the candidate's metrics and params (<c>metrics.x</c>,
/// <c>params.x</c>, optionally prefixed <c>candidate.</c>) and the current alias holder's
/// (<c>champion.metrics.x</c>), joined with AND. When the alias has no holder yet, comparisons that
/// read the champion pass, so the first promotion is not blocked. A reference may also name a model
/// version by URI, <c>models:/delay@champion.metrics.auc</c> or <c>models:/delay/3.metrics.auc</c>
/// (the metrics of the run that produced it), with the same rule for an alias nobody holds.
/// </summary>
public sealed class PromotionGate
{
    private readonly List<(Node Left, string Op, Node Right, string Text)> _comparisons;

    public string Text { get; }

    /// <summary>Every metric and param the gate reads, in order of appearance.</summary>
    public IReadOnlyList<GateReference> References { get; }

    private PromotionGate(string text, List<(Node, string, Node, string)> comparisons, IReadOnlyList<GateReference> references)
    {
        Text = text;
        _comparisons = comparisons;
        References = references;
    }

    public static PromotionGate Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw CairnException.InvalidParameter("The gate expression is empty.");
        return new Parser(text).ParseGate();
    }

    /// <param name="resolve">The value of a reference, or null when the run has no such metric or param.</param>
    /// <param name="hasChampion">Whether the alias currently points at a version.</param>
    public GateResult Evaluate(Func<GateReference, double?> resolve, bool hasChampion) =>
        Evaluate(resolve, r => r.Scope != GateScope.Champion || hasChampion);

    /// <param name="resolve">The value of a reference, or null when the run has no such metric or param.</param>
    /// <param name="hasHolder">Whether the alias a reference reads through has a holder; comparisons reading one that has none pass.</param>
    public GateResult Evaluate(Func<GateReference, double?> resolve, Func<GateReference, bool> hasHolder)
    {
        var details = new List<string>();
        var passed = true;
        foreach (var (left, op, right, text) in _comparisons)
        {
            var unheld = left.References.Concat(right.References).FirstOrDefault(r => !hasHolder(r));
            if (unheld is not null)
            {
                details.Add(unheld.Scope == GateScope.Model ? $"{text}: no current holder of {unheld.Model}, passes" : $"{text}: no current holder of the alias, passes");
                continue;
            }
            var l = left.Evaluate(resolve);
            var r = right.Evaluate(resolve);
            if (l.Missing is not null || r.Missing is not null)
            {
                passed = false;
                details.Add($"{text}: {l.Missing ?? r.Missing} is missing, fails");
                continue;
            }
            var ok = op switch
            {
                ">=" => l.Value >= r.Value,
                ">" => l.Value > r.Value,
                "<=" => l.Value <= r.Value,
                "<" => l.Value < r.Value,
                "!=" => l.Value != r.Value,
                _ => l.Value == r.Value,
            };
            passed &= ok;
            details.Add($"{text}: {Format(l.Value)} {op} {Format(r.Value)}, {(ok ? "passes" : "fails")}");
        }
        return new GateResult(passed, details);
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private abstract record Node
    {
        public abstract IEnumerable<GateReference> References { get; }
        public abstract (double Value, string? Missing) Evaluate(Func<GateReference, double?> resolve);
    }

    private sealed record NumberNode(double Value) : Node
    {
        public override IEnumerable<GateReference> References => [];
        public override (double, string?) Evaluate(Func<GateReference, double?> resolve) => (Value, null);
    }

    private sealed record ReferenceNode(GateReference Reference) : Node
    {
        public override IEnumerable<GateReference> References => [Reference];
        public override (double, string?) Evaluate(Func<GateReference, double?> resolve) =>
            resolve(Reference) is { } value ? (value, null) : (double.NaN, Reference.ToString());
    }

    private sealed record BinaryNode(Node Left, char Op, Node Right) : Node
    {
        public override IEnumerable<GateReference> References => Left.References.Concat(Right.References);
        public override (double, string?) Evaluate(Func<GateReference, double?> resolve)
        {
            var (l, lm) = Left.Evaluate(resolve);
            var (r, rm) = Right.Evaluate(resolve);
            if (lm is not null || rm is not null) return (double.NaN, lm ?? rm);
            return (Op switch { '+' => l + r, '-' => l - r, '*' => l * r, _ => l / r }, null);
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;
        private readonly List<GateReference> _references = [];

        public PromotionGate ParseGate()
        {
            var comparisons = new List<(Node, string, Node, string)>();
            while (true)
            {
                Skip();
                var start = _pos;
                var left = Expression();
                Skip();
                var op = Comparator();
                var right = Expression();
                comparisons.Add((left, op, right, text[start.._pos].Trim()));
                Skip();
                if (_pos >= text.Length) return new PromotionGate(text, comparisons, _references);
                var at = _pos;
                var word = Word();
                if (!word.Equals("and", StringComparison.OrdinalIgnoreCase))
                    throw Error(at, $"expected AND or the end of the gate but found '{Rest(at)}'");
            }
        }

        private string Comparator()
        {
            foreach (var op in new[] { ">=", "<=", "!=", "==", ">", "<", "=" })
            {
                if (string.CompareOrdinal(text, _pos, op, 0, op.Length) != 0) continue;
                _pos += op.Length;
                return op == "==" ? "=" : op;
            }
            throw Error(_pos, $"expected a comparison (>=, >, <=, <, =, !=) but found '{Rest(_pos)}'");
        }

        private Node Expression()
        {
            var node = Term();
            while (true)
            {
                Skip();
                if (_pos < text.Length && text[_pos] is '+' or '-') { var op = text[_pos++]; node = new BinaryNode(node, op, Term()); }
                else return node;
            }
        }

        private Node Term()
        {
            var node = Factor();
            while (true)
            {
                Skip();
                if (_pos < text.Length && text[_pos] is '*' or '/') { var op = text[_pos++]; node = new BinaryNode(node, op, Factor()); }
                else return node;
            }
        }

        private Node Factor()
        {
            Skip();
            if (_pos >= text.Length) throw Error(_pos, "expected a number, metrics.<key>, params.<key> or champion.metrics.<key> but the gate ended");
            var c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var inner = Expression();
                Skip();
                if (_pos >= text.Length || text[_pos] != ')') throw Error(_pos, "expected ')'");
                _pos++;
                return inner;
            }
            if (c == '-') { _pos++; return new BinaryNode(new NumberNode(0), '-', Factor()); }
            if (char.IsDigit(c) || c == '.')
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsDigit(text[_pos]) || text[_pos] is '.' or 'e' or 'E')) _pos++;
                if (double.TryParse(text[start.._pos], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return new NumberNode(number);
                throw Error(start, $"'{text[start.._pos]}' is not a number");
            }
            return new ReferenceNode(Reference());
        }

        private GateReference Reference()
        {
            var start = _pos;
            if (string.CompareOrdinal(text, _pos, ModelUri.Scheme, 0, ModelUri.Scheme.Length) == 0) return ModelReference();
            // '-' is subtraction here, so keys with dashes cannot be named in a gate.
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.' or '/' or ':')) _pos++;
            var word = text[start.._pos];
            var scope = GateScope.Candidate;
            if (word.StartsWith("champion.", StringComparison.Ordinal)) { scope = GateScope.Champion; word = word["champion.".Length..]; }
            else if (word.StartsWith("candidate.", StringComparison.Ordinal)) word = word["candidate.".Length..];
            var dot = word.IndexOf('.');
            var kind = dot < 0 ? word : word[..dot];
            var key = dot < 0 ? "" : word[(dot + 1)..];
            if (kind is not ("metrics" or "params") || key.Length == 0)
                throw Error(start, $"expected metrics.<key>, params.<key>, champion.metrics.<key> or a number but found '{(word.Length > 0 ? text[start.._pos] : Rest(start))}'");
            var reference = new GateReference(scope, kind, key);
            _references.Add(reference);
            return reference;
        }

        /// <summary>
        /// <c>models:/name@alias.metrics.key</c> or <c>models:/name/N.params.key</c>: the URI runs up
        /// to <c>.metrics.</c> or <c>.params.</c> (model names may hold '-', which elsewhere is subtraction).
        /// </summary>
        private GateReference ModelReference()
        {
            var start = _pos;
            var end = start;
            while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
            var span = text[start..end];
            var split = new[] { ".metrics.", ".params." }.Select(m => (Marker: m, At: span.IndexOf(m, StringComparison.Ordinal))).Where(m => m.At > 0).OrderBy(m => m.At).FirstOrDefault();
            if (split.Marker is null)
                throw Error(start, $"expected models:/<name>@<alias>.metrics.<key> or models:/<name>/<version>.metrics.<key> but found '{span}'");
            var uriText = span[..split.At];
            ModelUri uri;
            try
            {
                uri = ModelUri.Parse(uriText);
            }
            catch (CairnException e)
            {
                throw Error(start, e.Message.TrimEnd('.'));
            }
            _pos = start + split.At + split.Marker.Length;
            var keyStart = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.' or '/')) _pos++;
            if (_pos == keyStart) throw Error(keyStart, $"expected a key after '{uriText}{split.Marker}'");
            var reference = new GateReference(GateScope.Model, split.Marker.Trim('.'), text[keyStart.._pos], uri.ToString());
            _references.Add(reference);
            return reference;
        }

        private string Word()
        {
            var start = _pos;
            while (_pos < text.Length && char.IsLetter(text[_pos])) _pos++;
            return text[start.._pos];
        }

        private void Skip()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private string Rest(int at) => at >= text.Length ? "" : text[at..].Split(' ')[0];

        private CairnException Error(int at, string expected) =>
            CairnException.InvalidParameter($"Invalid gate at position {at + 1}: {expected}. The gate was: {text}");
    }
}
