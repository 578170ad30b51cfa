using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.Hosting;

/// <summary>
/// The Host headers a server answers. A page on attacker.example can re-point its own name at
/// 127.0.0.1 (DNS rebinding) and then read a local server as if it were its own origin; its
/// requests still say <c>Host: attacker.example</c>, so a server that answers only the names it
/// knows it has cannot be read that way. Answered: <c>localhost</c>, <c>127.0.0.1</c>,
/// <c>[::1]</c>, the IP address the request arrived on (the bound address; with 0.0.0.0, the one
/// the client dialled) and the configured names, on any port. <c>*</c> answers any host, for a
/// server behind a proxy that checks hosts itself; <c>*.example.com</c> answers its subdomains.
/// </summary>
public sealed class AllowedHosts
{
    public const string OptionName = "--allowed-hosts";

    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    private readonly StringSegment[] _patterns;

    /// <summary>The names given besides the loopback ones, normalized (lower case, IPv6 in brackets).</summary>
    public IReadOnlyList<string> Configured { get; }

    public bool AllowsAny { get; }

    /// <exception cref="CairnException">A name with a scheme, path or port: it would never match.</exception>
    public AllowedHosts(IEnumerable<string> configured)
    {
        Configured = configured.Select(n => n.Trim()).Where(n => n.Length > 0).Select(Normalize).Distinct().ToList();
        AllowsAny = Configured.Contains("*");
        _patterns = [.. LoopbackNames.Concat(Configured).Select(n => new StringSegment(n))];
    }

    public bool Allows(HostString host, IPAddress? arrivedOn)
    {
        // No Host header at all is HTTP/1.0, which no browser sends, so it cannot be a rebound page.
        if (AllowsAny || !host.HasValue) return true;
        try
        {
            if (HostString.MatchesAny(host.Value, _patterns)) return true;
        }
        catch (FormatException)
        {
            return false; // a port that is not a number
        }
        return arrivedOn is not null && IPAddress.TryParse(host.Host.Trim('[', ']'), out var named) && Unmapped(named).Equals(Unmapped(arrivedOn));
    }

    /// <summary>Says which host was refused and how to allow it.</summary>
    public string RefusalMessage(HostString host)
    {
        var name = host.HasValue ? host.Host : "";
        var configured = Configured.Count == 0 ? "" : ", " + string.Join(", ", Configured);
        return $"Host '{host.Value}' is not allowed: this server answers only localhost, 127.0.0.1, [::1], the address it was reached on{configured}. "
            + $"To reach it by this name, start it with {OptionName} {name} (names are comma-separated; '*' allows any host, for a server behind a proxy that checks the host).";
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Normalize(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"{OptionName}: '{name}' is not a host name; give the name alone, as in 'cairn.example.com' (no scheme or path).");
        if (IPAddress.TryParse(name, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 && !name.StartsWith('['))
            return "[" + address + "]";
        var hostPart = name.StartsWith('[') ? name[(name.IndexOf(']', StringComparison.Ordinal) + 1)..] : name;
        if (hostPart.Contains(':', StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"{OptionName}: '{name}' has a port; give the name alone (any port is answered).");
        return name.ToLowerInvariant();
    }
}
