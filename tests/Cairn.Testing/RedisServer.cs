using System.Net;
using System.Net.Sockets;

namespace Cairn.Testing;

/// <summary>
/// A throwaway Redis for the tests: Debian's <c>redis-server</c> on a free port of 127.0.0.1 with
/// its own temp dir and no persistence, started once per test process and stopped when it exits.
/// Callers isolate themselves with a key prefix of their own.
/// </summary>
public sealed class RedisServer
{
    private static readonly Lazy<RedisServer> Shared = new(() => new RedisServer());
    private readonly ChildProcess _process;

    public static RedisServer Instance => Shared.Value;

    /// <summary>Why no Redis can be started here (no <c>redis-server</c>), or null when one can.</summary>
    public static string? Unavailable => Executable() is null
        ? "needs redis-server (apt-get install redis-server; .ci/run installs it)"
        : null;

    public int Port { get; }

    /// <summary>The server as a <c>redis://</c> URI (database 0).</summary>
    public string Uri => $"redis://127.0.0.1:{Port}/0";

    private RedisServer()
    {
        var executable = Executable() ?? throw new InvalidOperationException(Unavailable);
        var folder = Path.Combine(Path.GetTempPath(), "cairn-redis-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        Port = FreePort();
        // Through a small watchdog shell, as for s3rver: if this test process is killed, the server stops too.
        var watchdog = $"\"$0\" \"$@\" & server=$!; trap 'kill $server 2>/dev/null' EXIT; " +
                       $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done";
        _process = ChildProcess.Start("/bin/sh", ["-c", watchdog, executable, "--port", Port.ToString(), "--bind", "127.0.0.1",
            "--dir", folder, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"]);
        _process.WaitForLineAsync(l => l.Contains("Ready to accept connections"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _process.Dispose();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        };
    }

    private static string? Executable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
