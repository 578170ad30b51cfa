using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>
/// Reads a JSON request body while counting the items of some of its top-level arrays, and lets
/// a check refuse it the moment a count passes a limit. Parsing a whole log-batch before counting
/// let a million metrics become a million objects first (8 such requests took the server from
/// 168 MB to 800 MB); this way it stops at the 1,001st metric, before the rest is even received.
/// </summary>
internal static class CountedJsonBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <param name="counted">Names of the top-level arrays to count (case-insensitive, as the body's field names are).</param>
    /// <param name="check">Called with the counts so far after each counted item; throws to refuse the body.</param>
    public static async Task<T> ReadAsync<T>(HttpContext context, IReadOnlyCollection<string> counted,
        Action<IReadOnlyDictionary<string, int>> check) where T : class
    {
        var received = new ArrayBufferWriter<byte>(ChunkBytes);
        var counter = new ArrayItemCounter(counted, check);
        JsonException? malformed = null;
        while (malformed is null)
        {
            var read = await context.Request.Body.ReadAsync(received.GetMemory(ChunkBytes), context.RequestAborted);
            received.Advance(read);
            var final = read == 0;
            try
            {
                counter.Scan(received.WrittenSpan, final);
            }
            catch (JsonException e)
            {
                // Malformed before any limit was passed: the deserializer below names where.
                malformed = e;
            }
            if (final) break;
        }
        return ApiIo.Deserialize<T>(context, received.WrittenSpan, malformed);
    }

    /// <summary>Follows the body token by token across chunks; remembers only where it is and the counts.</summary>
    private sealed class ArrayItemCounter(IReadOnlyCollection<string> counted, Action<IReadOnlyDictionary<string, int>> check)
    {
        private readonly Dictionary<string, int> _counts = counted.ToDictionary(n => n, _ => 0, StringComparer.OrdinalIgnoreCase);
        private JsonReaderState _state;
        private int _consumed;
        private string? _property;
        private string? _array;

        public void Scan(ReadOnlySpan<byte> received, bool final)
        {
            var reader = new Utf8JsonReader(received[_consumed..], final, _state);
            while (reader.Read())
            {
                // Depth 1 holds the body's fields and their values; depth 2 the items of an array field.
                switch (reader.CurrentDepth, reader.TokenType)
                {
                    case (1, JsonTokenType.PropertyName):
                        _property = reader.GetString();
                        break;
                    case (1, JsonTokenType.StartArray) when _property is not null && _counts.ContainsKey(_property):
                        _array = _property;
                        break;
                    case (1, JsonTokenType.EndArray):
                        _array = null;
                        break;
                    case (2, not (JsonTokenType.EndObject or JsonTokenType.EndArray)) when _array is not null:
                        _counts[_array]++;
                        check(_counts);
                        break;
                }
            }
            _consumed += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
        }
    }
}
