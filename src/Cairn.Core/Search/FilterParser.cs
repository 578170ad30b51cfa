using System.Globalization;
using System.Text;

namespace Cairn.Search;

/// <summary>
/// Parses MLflow's search filter language once, into comparisons that each backend compiles to
/// its own query (parameterized SQL, never string concatenation). Syntax errors name the position
/// (1-based) and what was expected.
/// </summary>
/// <remarks>
/// Grammar: <c>filter := comparison (AND comparison)*</c>;
/// <c>comparison := identifier op value</c>; identifiers are <c>metrics.k</c>, <c>params.k</c>,
/// <c>tags.k</c>, <c>attributes.k</c> (and MLflow's aliases), with keys quoted in backticks or
/// double quotes when they hold other characters. Sizes are bounded by <see cref="SearchLimits"/>,
/// checked while parsing, so an oversized filter is refused before it is read to its end.
/// </remarks>
public sealed class FilterParser
{
    private readonly string _text;
    private readonly string _label;
    private int _pos;
    private int _listValues;

    private FilterParser(string text, string label = "filter")
    {
        _text = text;
        _label = label;
    }

    public static IReadOnlyList<Comparison> Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return [];
        SearchLimits.CheckFilterLength(filter);
        return new FilterParser(filter).ParseFilter();
    }

    public static IReadOnlyList<OrderByTerm> ParseOrderBy(IEnumerable<string>? clauses)
    {
        var terms = new List<OrderByTerm>();
        if (clauses is null) return terms;
        var list = clauses as IReadOnlyCollection<string> ?? clauses.ToList();
        if (list.Count > SearchLimits.MaxOrderByClauses) throw SearchLimits.TooManyOrderByClauses(list.Count);
        foreach (var clause in list)
        {
            if (string.IsNullOrWhiteSpace(clause)) continue;
            terms.Add(new FilterParser(clause, "order_by clause").ParseOrderByClause());
        }
        return terms;
    }

    private List<Comparison> ParseFilter()
    {
        var result = new List<Comparison> { ParseComparison() };
        while (true)
        {
            SkipSpaces();
            if (AtEnd) return result;
            var at = _pos;
            var word = ReadWord();
            if (word.Equals("AND", StringComparison.OrdinalIgnoreCase))
            {
                if (result.Count == SearchLimits.MaxComparisons) throw SearchLimits.TooManyComparisons();
                result.Add(ParseComparison());
                continue;
            }
            if (word.Equals("OR", StringComparison.OrdinalIgnoreCase))
                throw Error(at, "'OR' is not supported: combine comparisons with AND");
            throw Error(at, $"expected AND or the end of the filter but found '{Excerpt(at)}'");
        }
    }

    private Comparison ParseComparison()
    {
        SkipSpaces();
        var start = _pos;
        var (kind, key) = ParseIdentifier();
        SkipSpaces();
        var op = ParseComparator();
        SkipSpaces();
        var value = ParseValue(op);
        var comparison = new Comparison(kind, key, op, value, start + 1);
        CheckTypes(comparison, start);
        return comparison;
    }

    private OrderByTerm ParseOrderByClause()
    {
        SkipSpaces();
        var (kind, key) = ParseIdentifier();
        SkipSpaces();
        var ascending = true;
        if (!AtEnd)
        {
            var at = _pos;
            var word = ReadWord();
            if (word.Equals("DESC", StringComparison.OrdinalIgnoreCase)) ascending = false;
            else if (!word.Equals("ASC", StringComparison.OrdinalIgnoreCase))
                throw Error(at, $"expected ASC or DESC after the order-by key but found '{Excerpt(at)}'");
        }
        SkipSpaces();
        if (!AtEnd) throw Error(_pos, $"expected the end of the order-by clause but found '{Excerpt(_pos)}'");
        return new OrderByTerm(kind, key, ascending);
    }

    private (EntityKind Kind, string Key) ParseIdentifier()
    {
        var start = _pos;
        if (AtEnd) throw Error(start, "expected an identifier such as metrics.auc, params.model, tags.team or attributes.status but the text ended");
        if (Current is '`' or '"')
            throw Error(start, "expected an entity prefix (metrics., params., tags. or attributes.) before the quoted key");
        var prefixBuilder = new StringBuilder();
        while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '_')) prefixBuilder.Append(_text[_pos++]);
        var prefix = prefixBuilder.ToString();
        if (prefix.Length == 0)
            throw Error(start, $"expected an identifier such as metrics.auc, params.model, tags.team or attributes.status but found '{Excerpt(start)}'");

        if (AtEnd || Current != '.')
        {
            // A bare name is an attribute: status, run_name, start_time...
            return (EntityKind.Attribute, prefix);
        }
        var kind = prefix.ToLowerInvariant() switch
        {
            "metric" or "metrics" => EntityKind.Metric,
            "param" or "params" or "parameter" or "parameters" => EntityKind.Param,
            "tag" or "tags" => EntityKind.Tag,
            "attribute" or "attributes" or "attr" or "run" => EntityKind.Attribute,
            _ => throw Error(start, $"unknown entity type '{prefix}': expected metrics, params, tags or attributes"),
        };
        _pos++; // the dot
        string key;
        if (!AtEnd && Current is '`' or '"')
        {
            key = ReadQuoted(Current, "key");
        }
        else
        {
            var keyStart = _pos;
            while (!AtEnd && (char.IsLetterOrDigit(Current) || Current is '_' or '.' or '-' or '/' or ':')) _pos++;
            key = _text[keyStart.._pos];
        }
        if (key.Length == 0) throw Error(_pos, $"expected a key after '{prefix}.'");
        if (kind == EntityKind.Attribute) key = key.ToLowerInvariant();
        return (kind, key);
    }

    private Comparator ParseComparator()
    {
        var start = _pos;
        if (AtEnd) throw Error(start, "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) but the text ended");
        string Two() => _pos + 1 < _text.Length ? _text.Substring(_pos, 2) : "";
        switch (Two())
        {
            case "!=": _pos += 2; return Comparator.NotEqual;
            case "<>": _pos += 2; return Comparator.NotEqual;
            case ">=": _pos += 2; return Comparator.GreaterOrEqual;
            case "<=": _pos += 2; return Comparator.LessOrEqual;
            case "==": _pos += 2; return Comparator.Equal;
        }
        switch (Current)
        {
            case '=': _pos++; return Comparator.Equal;
            case '>': _pos++; return Comparator.Greater;
            case '<': _pos++; return Comparator.Less;
        }
        var word = ReadWord();
        switch (word.ToUpperInvariant())
        {
            case "LIKE": return Comparator.Like;
            case "ILIKE": return Comparator.ILike;
            case "IN": return Comparator.In;
            case "NOT":
                SkipSpaces();
                var at = _pos;
                if (ReadWord().Equals("IN", StringComparison.OrdinalIgnoreCase)) return Comparator.NotIn;
                throw Error(at, "expected IN after NOT");
        }
        throw Error(start, $"expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) but found '{Excerpt(start)}'");
    }

    private FilterValue ParseValue(Comparator op)
    {
        var start = _pos;
        if (AtEnd) throw Error(start, "expected a value (a number, a quoted string, or a list in parentheses) but the text ended");
        if (op is Comparator.In or Comparator.NotIn)
        {
            if (Current != '(') throw Error(start, $"expected a parenthesized list of strings after {ComparatorText.Of(op)}, such as ('a', 'b')");
            _pos++;
            var values = new List<string>();
            while (true)
            {
                SkipSpaces();
                if (AtEnd || Current is not ('\'' or '"')) throw Error(_pos, "expected a quoted string in the list");
                if (++_listValues > SearchLimits.MaxListValues) throw SearchLimits.TooManyListValues();
                values.Add(ReadQuoted(Current, "string"));
                SkipSpaces();
                if (AtEnd) throw Error(_pos, "expected ',' or ')' but the text ended");
                if (Current == ',') { _pos++; continue; }
                if (Current == ')') { _pos++; return new ListValue(values); }
                throw Error(_pos, $"expected ',' or ')' but found '{Excerpt(_pos)}'");
            }
        }
        if (Current is '\'' or '"') return new StringValue(ReadQuoted(Current, "string"));
        var numberStart = _pos;
        while (!AtEnd && (char.IsDigit(Current) || Current is '.' or '-' or '+' or 'e' or 'E')) _pos++;
        var text = _text[numberStart.._pos];
        if (text.Length > 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return new NumberValue(number);
        _pos = start;
        throw Error(start, $"expected a number or a quoted string but found '{Excerpt(start)}' (quote strings with single quotes)");
    }

    private void CheckTypes(Comparison c, int start)
    {
        var op = ComparatorText.Of(c.Op);
        switch (c.Kind)
        {
            case EntityKind.Metric:
                if (c.Value is not NumberValue)
                    throw Error(start, $"metric '{c.Key}' must be compared with a number");
                if (c.Op is Comparator.Like or Comparator.ILike or Comparator.In or Comparator.NotIn)
                    throw Error(start, $"operator {op} does not apply to metrics; use =, !=, <, <=, > or >=");
                break;
            case EntityKind.Param:
            case EntityKind.Tag:
                if (c.Value is NumberValue)
                    throw Error(start, $"{(c.Kind == EntityKind.Param ? "param" : "tag")} '{c.Key}' is a string: quote the value, e.g. '{((NumberValue)c.Value).Value.ToString(CultureInfo.InvariantCulture)}'");
                if (c.Op is Comparator.Greater or Comparator.GreaterOrEqual or Comparator.Less or Comparator.LessOrEqual)
                    throw Error(start, $"operator {op} does not apply to {(c.Kind == EntityKind.Param ? "params" : "tags")}; use =, !=, LIKE, ILIKE, IN or NOT IN");
                break;
        }
    }

    private string ReadQuoted(char quote, string what)
    {
        var start = _pos;
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw Error(start, $"unterminated quoted {what}: expected a closing {quote}");
            var c = _text[_pos++];
            if (c == quote)
            {
                if (!AtEnd && Current == quote) { sb.Append(quote); _pos++; continue; } // doubled quote escapes itself
                return sb.ToString();
            }
            sb.Append(c);
        }
    }

    private string ReadWord()
    {
        var start = _pos;
        while (!AtEnd && (char.IsLetter(Current) || Current == '_')) _pos++;
        return _text[start.._pos];
    }

    private void SkipSpaces()
    {
        while (!AtEnd && char.IsWhiteSpace(Current)) _pos++;
    }

    private bool AtEnd => _pos >= _text.Length;
    private char Current => _text[_pos];

    private string Excerpt(int at)
    {
        var rest = _text[at..];
        var end = rest.IndexOf(' ');
        var word = end < 0 ? rest : rest[..end];
        return word.Length > 30 ? word[..30] + "..." : word;
    }

    private CairnException Error(int at, string expected) =>
        CairnException.InvalidParameter($"Invalid {_label} at position {at + 1}: {expected}. The {_label} was: {_text}");
}
