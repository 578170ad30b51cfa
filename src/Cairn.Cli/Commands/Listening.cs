using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Cairn.Cli.Commands;

/// <summary>Starting a server the way a user needs to hear about it.</summary>
internal static class Listening
{
    /// <summary>Starts <paramref name="app"/>; a port that is taken is a user error said in one line.</summary>
    public static async Task StartAsync(WebApplication app, int port, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            throw CairnException.InvalidParameter($"port {port} is in use (try --port 0 or another port)");
        }
    }
}
