using System.Buffers.Binary;
using System.Text;
using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

/// <summary>
/// No two rows with the same key. Each key is remembered as a 128-bit BLAKE3 digest of its values
/// (16 bytes, whatever the key's length), so memory grows with the number of distinct keys only,
/// and a false duplicate would need a hash collision. Rows with a missing key value are skipped, as
/// SQL's UNIQUE does; <c>not_null</c> is the check for those.
/// </summary>
internal sealed class UniqueCheck(UniqueExpectation expectation, IReadOnlyList<int> columnFields) : ExpectationCheck(expectation)
{
    private readonly HashSet<UInt128> _seen = [];
    private readonly List<string> _examples = [];
    private readonly StringBuilder _key = new();
    private long _duplicates, _keys;

    public override IEnumerable<int> Fields => columnFields;

    public override void Observe(TableBatch batch)
    {
        var columns = columnFields.Select(f => batch[f]).ToArray();
        Span<byte> digest = stackalloc byte[16];
        for (var i = 0; i < batch.RowCount; i++)
        {
            _key.Clear();
            var complete = true;
            foreach (var column in columns)
            {
                var text = column.GetText(i);
                if (text is null) { complete = false; break; }
                // Length-prefixed, so that ("ab", "c") and ("a", "bc") are different keys.
                _key.Append(text.Length).Append(':').Append(text).Append('\u001f');
            }
            if (!complete) continue;
            _keys++;
            var text2 = _key.ToString();
            Blake3.Hasher.Hash(Encoding.UTF8.GetBytes(text2), digest);
            if (_seen.Add(BinaryPrimitives.ReadUInt128LittleEndian(digest))) continue;
            if (_duplicates++ < 5)
                _examples.Add("repeated: " + string.Join(", ", columns.Select((c, j) => $"{expectation.KeyColumns[j]}={Quote(c.GetText(i))}")));
        }
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var name = string.Join(", ", expectation.KeyColumns);
        var observed = _duplicates == 0 ? $"{Count(_keys)} distinct" : $"{Count(_duplicates)} repeated of {Count(_keys)} ({Count(_seen.Count)} distinct)";
        yield return Result($"unique {name}", expectation.KeyColumns.Count == 1 ? "no repeated value" : "no repeated combination", observed, _duplicates == 0, _examples);
    }
}
