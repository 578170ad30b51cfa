namespace Cairn.Features;

/// <summary>One row checked and encoded for an online store: the canonical key, the event time in microseconds and the non-null values' bytes.</summary>
public sealed record EncodedOnlineRow(string Key, long EventTimeMicros, IReadOnlyList<KeyValuePair<string, byte[]>> Values);

/// <summary>
/// The checks every online store makes before writing anything, so a bad batch fails whole, with
/// the same message on every backend: names present, values of the declared types, no undeclared
/// feature. Declared features a row leaves out are stored as null.
/// </summary>
public static class OnlineFeatureBatch
{
    /// <summary>The rows of <paramref name="view"/>, checked and encoded in order.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the row and feature at fault.</exception>
    public static IReadOnlyList<EncodedOnlineRow> Encode(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows)
    {
        OnlineFeatureKeys.EscapeName(view);
        ArgumentNullException.ThrowIfNull(rows);
        var declared = Declared(view, features);
        var encoded = new EncodedOnlineRow[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw CairnException.InvalidParameter($"Row {r + 1} of view '{view}' is null.");
            var values = new List<KeyValuePair<string, byte[]>>(row.Values?.Count ?? 0);
            foreach (var (name, value) in row.Values ?? new Dictionary<string, object?>())
            {
                if (!declared.TryGetValue(name, out var field))
                    throw CairnException.InvalidParameter($"Row {r + 1}: '{name}' is not a feature of view '{view}' (declared: {string.Join(", ", declared.Keys)}).");
                if (OnlineValueCodec.Encode(field, value) is { } bytes) values.Add(new(name, bytes));
            }
            encoded[r] = new EncodedOnlineRow(OnlineFeatureKeys.Encode(row.Key), OnlineValueCodec.ToUnixMicroseconds(row.EventTime), values);
        }
        return encoded;
    }

    /// <summary>Checks a read's arguments: a view name, keys and non-empty feature names.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when one is missing.</exception>
    public static void CheckRead(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features)
    {
        OnlineFeatureKeys.EscapeName(view);
        if (keys is null) throw CairnException.InvalidParameter("Entity keys are required.");
        if (features is null || features.Any(string.IsNullOrEmpty))
            throw CairnException.InvalidParameter($"Feature names of view '{view}' must not be empty.");
    }

    private static Dictionary<string, FeatureField> Declared(string view, IReadOnlyList<FeatureField> features)
    {
        var declared = new Dictionary<string, FeatureField>(StringComparer.Ordinal);
        foreach (var field in features ?? throw CairnException.InvalidParameter($"The features of view '{view}' are required."))
        {
            if (string.IsNullOrEmpty(field?.Name)) throw CairnException.InvalidParameter($"A feature of view '{view}' has no name.");
            if (!declared.TryAdd(field.Name, field)) throw CairnException.InvalidParameter($"View '{view}' declares feature '{field.Name}' twice.");
        }
        return declared;
    }
}
