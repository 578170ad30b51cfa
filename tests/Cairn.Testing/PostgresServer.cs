using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Cairn.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: <c>initdb</c> in a temp dir, <c>pg_ctl</c> on a
/// free port on 127.0.0.1, one fresh database per caller. Started once per test process and
/// stopped when it exits. As root (CI), the server runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer(fsync: false));
    private readonly string _data;
    private readonly bool _fsync;
    private int _databases;

    public static PostgresServer Instance => Shared.Value;
    public int Port { get; }
    public string Folder { get; }

    /// <summary>A separate cluster; benchmarks want fsync on, as production runs.</summary>
    public static PostgresServer Start(bool fsync) => new(fsync);

    private PostgresServer(bool fsync)
    {
        _fsync = fsync;
        Folder = Path.Combine(Path.GetTempPath(), "cairn-pg-" + Guid.NewGuid().ToString("N")[..8]);
        _data = Path.Combine(Folder, "data");
        Directory.CreateDirectory(Folder);
        if (IsRoot) Run("chown", ["-R", "postgres:postgres", Folder], asPostgres: false);
        Port = FreePort();
        Run(Tool("initdb"), ["-D", _data, "-U", "cairn", "--auth=trust", "-E", "UTF8", "--no-sync"], asPostgres: IsRoot);
        Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
    }

    /// <summary>A new, empty database on this server, as a postgresql:// URI.</summary>
    public string NewDatabase()
    {
        var name = $"cairn_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=cairn;Database=postgres;Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return $"postgresql://cairn@127.0.0.1:{Port}/{name}";
    }

    /// <summary>Restarts the server (fast shutdown: sessions are cut, committed data stays).</summary>
    public void Restart() => Run(Tool("pg_ctl"), ["restart", "-D", _data, "-m", "fast", "-w", "-o", Options()], asPostgres: IsRoot);

    private void Start() => Run(Tool("pg_ctl"), ["start", "-D", _data, "-w", "-l", Path.Combine(Folder, "server.log"), "-o", Options()], asPostgres: IsRoot);

    private void Stop()
    {
        try { Run(Tool("pg_ctl"), ["stop", "-D", _data, "-m", "immediate", "-w"], asPostgres: IsRoot); } catch (InvalidOperationException) { }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // Tests run with fsync off: a throwaway cluster, restarted cleanly; it makes the suites several times faster.
    private string Options() => $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync={(_fsync ? "on" : "off")} -c max_connections=300";

    private static bool IsRoot => Environment.UserName == "root";

    private static string Tool(string name)
    {
        foreach (var dir in new[] { "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/local/bin", "/usr/bin" })
            if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        throw new InvalidOperationException($"PostgreSQL's {name} was not found; install PostgreSQL (apt-get install postgresql) to run these tests.");
    }

    private static void Run(string file, IEnumerable<string> args, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres) { info.ArgumentList.Add("-u"); info.ArgumentList.Add("postgres"); info.ArgumentList.Add("--"); info.ArgumentList.Add(file); }
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {stderr} {stdout.Result}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
