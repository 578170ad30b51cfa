using System.CommandLine;
using Cairn.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>--tls-cert and --tls-key: the same on `cairn server` and `cairn serve`.</summary>
internal sealed class ServerTlsOptions
{
    public Option<string?> Certificate { get; } = new(ServerTls.CertificateOption)
    {
        Description = "Answer https with this PEM certificate (intermediate CAs may follow it in the file); needs --tls-key.",
    };

    public Option<string?> Key { get; } = new(ServerTls.KeyOption)
    {
        Description = "The certificate's private key, an unencrypted PEM file (keep it readable by the server's user only).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Certificate);
        command.Options.Add(Key);
    }

    /// <summary>The certificate given, loaded now (before any store is opened or model loaded); null for plain http.</summary>
    public ServerTls? In(ParseResult parse) => ServerTls.FromFiles(parse.GetValue(Certificate), parse.GetValue(Key));
}
