using System.Buffers;
using System.Globalization;
using System.Text;

namespace Cairn.Features;

/// <summary>
/// The canonical text of an entity key, shared by every online store so that one key means one
/// row everywhere. Components are joined by <c>:</c>; each starts with its type (<c>i</c> and the
/// decimal digits of an integer, <c>s</c> and the text of a string) and strings have <c>%</c>,
/// <c>:</c>, <c>{</c>, <c>}</c> and control characters percent-escaped. Escaping removes every
/// separator from a component and the type letter tells <c>1</c> from <c>"1"</c>, so two different
/// keys never share a text (the encoding is injective), whatever characters the strings hold.
/// </summary>
public static class OnlineFeatureKeys
{
    /// <summary>The canonical text of <paramref name="key"/>: <c>long</c>, <c>int</c> or <c>string</c> components, in the entities' order.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an empty key, a null or other-typed component, or a string that is not valid Unicode.</exception>
    public static string Encode(IReadOnlyList<object> key)
    {
        if (key is null || key.Count == 0)
            throw CairnException.InvalidParameter("An entity key needs at least one join key value.");
        var text = new StringBuilder();
        for (var i = 0; i < key.Count; i++)
        {
            if (i > 0) text.Append(':');
            switch (key[i])
            {
                case long l: text.Append('i').Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case int n: text.Append('i').Append(n.ToString(CultureInfo.InvariantCulture)); break;
                case string s: text.Append('s'); AppendEscaped(text, s, "join key"); break;
                case var other:
                    throw CairnException.InvalidParameter(
                        $"Join key value {i + 1} is {(other is null ? "null" : $"a {other.GetType().Name}")}; join keys are int64 or string values.");
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// <paramref name="name"/> (a view name) with the same escaping as string key components, so it
    /// holds no <c>:</c> and can prefix keys without two views sharing one.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the name is empty or not valid Unicode.</exception>
    public static string EscapeName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw CairnException.InvalidParameter("A feature view name is required.");
        var text = new StringBuilder(name.Length);
        AppendEscaped(text, name, "view name");
        return text.ToString();
    }

    private static void AppendEscaped(StringBuilder text, string value, string what)
    {
        var rest = value.AsSpan();
        Span<byte> utf8 = stackalloc byte[4];
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != OperationStatus.Done)
                throw CairnException.InvalidParameter($"A {what} is not valid Unicode (an unpaired surrogate); fix the value.");
            if (rune.Value is '%' or ':' or '{' or '}' || rune.Value < 0x20 || rune.Value == 0x7F)
            {
                var written = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < written; b++) text.Append('%').Append(utf8[b].ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(rest[..used]);
            }
            rest = rest[used..];
        }
    }
}
