using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Cairn.Pipelines.CiCd;

/// <summary>Serializes the CI documents: keys as their records name them, nulls and empty lists left out, scripts as literal blocks.</summary>
internal static class CiYaml
{
    private static readonly ISerializer Writer = new SerializerBuilder()
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .DisableAliases()
        .WithEventEmitter(next => new MultilineAsLiteral(next))
        .Build();

    public static string Serialize(object document) => Writer.Serialize(document);

    /// <summary>A multi-line script reads as the shell lines it is, not as one escaped string.</summary>
    private sealed class MultilineAsLiteral(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n'))
                eventInfo.Style = ScalarStyle.Literal;
            base.Emit(eventInfo, emitter);
        }
    }
}
