namespace Cairn.Storage.Sql;

/// <summary>Readable default run names ("brave-owl-417"), as MLflow gives runs without a name.</summary>
public static class RunNames
{
    private static readonly string[] Adjectives =
        ["amber", "brave", "calm", "clever", "crisp", "bold", "eager", "gentle", "glad", "keen", "lucid", "merry",
         "nimble", "quiet", "rapid", "sharp", "silent", "steady", "sunny", "swift", "tidy", "vivid", "warm", "wise"];

    private static readonly string[] Nouns =
        ["badger", "cairn", "crane", "falcon", "fern", "fox", "heron", "lark", "lynx", "maple", "moose", "otter",
         "owl", "pike", "quail", "raven", "robin", "seal", "sparrow", "stoat", "trout", "vole", "wren", "yak"];

    public static string Generate() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}-{Nouns[Random.Shared.Next(Nouns.Length)]}-{Random.Shared.Next(1000)}";
}
