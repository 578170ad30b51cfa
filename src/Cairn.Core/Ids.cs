namespace Cairn;

/// <summary>Identifiers are 32 lower-case hex characters.</summary>
public static class Ids
{
    public static string NewId() => Guid.NewGuid().ToString("N");

    public static bool IsValid(string? id) =>
        id is { Length: 32 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
