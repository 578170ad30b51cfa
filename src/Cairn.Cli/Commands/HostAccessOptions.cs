using System.CommandLine;
using Cairn.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>--allowed-hosts and --cors-origins: the same on `cairn server` and `cairn serve`.</summary>
internal sealed class HostAccessOptions
{
    public Option<string[]> AllowedHosts { get; } = new(Hosting.AllowedHosts.OptionName)
    {
        Description = "Host names the server answers besides localhost, 127.0.0.1, [::1] and the address it is reached on "
            + "(others get 403, against DNS rebinding); comma-separated or repeated. '*.example.com' allows subdomains; "
            + "'*' allows any host, for a server behind a proxy that checks the host.",
    };

    public Option<string[]> CorsOrigins { get; } = new(Hosting.CorsOrigins.OptionName)
    {
        Description = "Web origins whose pages may call the server from a browser (CORS), such as https://app.example.com; "
            + "comma-separated or repeated. None by default: no CORS headers.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(AllowedHosts);
        command.Options.Add(CorsOrigins);
    }

    /// <summary>The names given, checked now (before any store is opened): a name with a scheme or port is an error.</summary>
    public IReadOnlyList<string> AllowedHostsIn(ParseResult parse) => new AllowedHosts(Split(parse.GetValue(AllowedHosts))).Configured;

    /// <summary>The origins given, checked now: anything that is not an http(s) origin is an error.</summary>
    public IReadOnlyList<string> CorsOriginsIn(ParseResult parse) => Hosting.CorsOrigins.Normalize(Split(parse.GetValue(CorsOrigins)));

    private static List<string> Split(string[]? values) =>
        values?.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList() ?? [];
}
