using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cairn.Data;

/// <summary>The YAML of the files cairn data commits (pointers, config): snake_case keys, nulls left out.</summary>
internal static class DataYaml
{
    public static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();
}
