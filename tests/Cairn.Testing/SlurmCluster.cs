using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Cairn.Testing;

/// <summary>
/// A throwaway one-node Slurm cluster for the tests: its own munged (own key and socket), slurmctld
/// and slurmd on free ports of 127.0.0.1, with their slurm.conf, state, spool and logs in a temp
/// folder. Commands reach it through <see cref="Environment"/> (SLURM_CONF). Started once per test
/// process, stopped (jobs cancelled, daemons ended) when it exits. Needs Debian's slurm-wlm and
/// munge, and root (slurmd runs jobs as their user).
/// </summary>
public sealed class SlurmCluster
{
    private static readonly Lazy<SlurmCluster> Shared = new(() => new SlurmCluster());
    private static readonly string[] Programs = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo"];

    /// <summary>Why the Slurm tests cannot run here, or null when they can.</summary>
    public static string? Unavailable { get; } = FindWhyUnavailable();

    public static SlurmCluster Instance => Shared.Value;

    public string Folder { get; }
    public string ConfigFile { get; }
    public string NodeName { get; }
    /// <summary>The node's CPUs, as slurmd counts them.</summary>
    public int Cpus { get; }
    /// <summary>Variables that point Slurm's commands at this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    private SlurmCluster()
    {
        if (Unavailable is not null || !OperatingSystem.IsLinux()) throw new InvalidOperationException(Unavailable ?? "Slurm needs Linux.");
        Folder = Path.Combine("/tmp", "cairn-slurm-" + Guid.NewGuid().ToString("N")[..8]);
        var munge = Path.Combine(Folder, "munge");
        var socket = Path.Combine(Folder, "socket");
        foreach (var dir in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Folder, dir));
        Directory.CreateDirectory(munge);
        Directory.CreateDirectory(socket);
        File.SetUnixFileMode(Folder, (UnixFileMode)Convert.ToInt32("755", 8));
        // munged wants its key readable by it alone and its socket folder reachable by everyone.
        var key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(socket, (UnixFileMode)Convert.ToInt32("755", 8));
        Run("chown", ["-R", "munge:munge", munge, socket]);
        var socketFile = Path.Combine(socket, "munge.socket");
        Run("runuser", ["-u", "munge", "--", Tool("munged"), "--socket=" + socketFile, "--key-file=" + key,
            "--pid-file=" + Path.Combine(munge, "munged.pid"), "--log-file=" + Path.Combine(munge, "munged.log"), "--seed-file=" + Path.Combine(munge, "seed")]);

        // slurmd -C prints this machine as a node line: its CPUs and layout, so the node registers without being drained.
        var node = Run(Tool("slurmd"), ["-C"]).Split('\n')[0].Trim();
        NodeName = Field(node, "NodeName");
        Cpus = int.Parse(Field(node, "CPUs"));
        var layout = string.Join(' ', node.Split(' ').Where(f => f.StartsWith("CPUs=") || f.StartsWith("Boards=") || f.StartsWith("SocketsPerBoard=")
            || f.StartsWith("CoresPerSocket=") || f.StartsWith("ThreadsPerCore=")));
        ConfigFile = Path.Combine(Folder, "slurm.conf");
        var ports = TwoFreePorts();
        File.WriteAllText(ConfigFile, $"""
            ClusterName=cairntest
            SlurmctldHost={NodeName}(127.0.0.1)
            SlurmUser=root
            SlurmdUser=root
            SlurmctldPort={ports.Controller}
            SlurmdPort={ports.Node}
            AuthType=auth/munge
            AuthInfo=socket={socketFile}
            CredType=cred/munge
            StateSaveLocation={Folder}/state
            SlurmdSpoolDir={Folder}/spool
            SlurmctldPidFile={Folder}/slurmctld.pid
            SlurmdPidFile={Folder}/slurmd.pid
            SlurmctldLogFile={Folder}/log/slurmctld.log
            SlurmdLogFile={Folder}/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core_Memory
            DefMemPerCPU=64
            MpiDefault=none
            ReturnToService=2
            MinJobAge=600
            KillWait=2
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/none
            MailProg=/bin/true
            NodeName={NodeName} NodeAddr=127.0.0.1 {layout} RealMemory=1024 State=UNKNOWN
            PartitionName=debug Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP
            """ + "\n");
        Environment = new Dictionary<string, string> { ["SLURM_CONF"] = ConfigFile };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        try
        {
            Run(Tool("slurmctld"), ["-i"]);
            Run(Tool("slurmd"), ["-N", NodeName]);
            StartWatchdog();
            WaitUntilIdle();
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>Runs a Slurm command against this cluster; returns its standard output, throws on failure.</summary>
    public string Command(string program, params string[] args) => Run(program, args);

    /// <summary>The fields of <c>scontrol show job -o</c> for a job.</summary>
    public IReadOnlyDictionary<string, string> Job(string jobId) =>
        Run("scontrol", ["--oneliner", "show", "job", jobId]).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);

    /// <summary>The ids of the jobs whose name starts with <paramref name="namePrefix"/> in the given states (all: ended ones too, while Slurm remembers them).</summary>
    public IReadOnlyList<string> Jobs(string namePrefix, string states = "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED") =>
        Run("squeue", ["--noheader", "--states=" + states, "--format=%i|%j"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|', 2)).Where(f => f.Length == 2 && f[1].StartsWith(namePrefix, StringComparison.Ordinal)).Select(f => f[0]).ToList();

    private void WaitUntilIdle()
    {
        var clock = Stopwatch.StartNew();
        var state = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                state = Run("sinfo", ["--noheader", "--format=%T"]).Trim();
                if (state is "idle" or "mixed" or "allocated") return;
            }
            catch (InvalidOperationException e)
            {
                state = e.Message;
            }
            Thread.Sleep(200);
        }
        throw new InvalidOperationException($"The Slurm node did not become idle within 30 s (last: {state}); see {Folder}/log.");
    }

    /// <summary>
    /// Ends the cluster quickly, as the test process exits (which allows little time): jobs are
    /// cancelled, then each daemon gets SIGKILL, without waiting, since a container's init may never
    /// reap them. The watchdog (see <see cref="StartWatchdog"/>) finishes whatever this leaves.
    /// </summary>
    private void Stop()
    {
        try { Run("timeout", ["5", "scancel", "--user=root"]); } catch (InvalidOperationException) { }
        foreach (var pidFile in new[] { "slurmctld.pid", "slurmd.pid", "munge/munged.pid" })
        {
            try
            {
                var pid = int.Parse(File.ReadAllText(Path.Combine(Folder, pidFile)).Trim());
                using var process = Process.GetProcessById(pid);
                // Only the daemon itself: the watchdog ends slurmctld's helper too, and a tree kill cut short at exit could leave processes stopped.
                process.Kill();
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                // Not started, or already gone.
            }
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The daemons detach from this process, so a killed test run would leave them behind. A small
    /// shell, itself detached (its parent exits at once), waits for this process to end and then
    /// ends the cluster and removes its folder: the test run's end is all it takes.
    /// </summary>
    private void StartWatchdog()
    {
        const string watchdog = """
            # Gone, or a zombie no one reaps (a container's init may not): either way the test process has ended.
            alive() { s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ]; }
            while alive "$1"; do sleep 1; done
            # The controller may be gone already: never wait on it for long.
            SLURM_CONF="$2/slurm.conf" timeout 5 scancel --user=root 2>/dev/null
            for f in slurmctld.pid slurmd.pid munge/munged.pid; do
              pid=$(cat "$2/$f" 2>/dev/null) && [ -n "$pid" ] && { pkill -KILL -P "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; }
            done
            rm -rf "$2"
            """;
        Run("/bin/sh", ["-c", "setsid /bin/sh -c \"$0\" watchdog \"$1\" \"$2\" </dev/null >/dev/null 2>&1 &", watchdog, System.Environment.ProcessId.ToString(), Folder]);
    }

    private string Run(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (ConfigFile is not null) info.Environment["SLURM_CONF"] = ConfigFile;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result} {stdout}");
        return stdout;
    }

    private static string Field(string line, string name) =>
        line.Split(' ').FirstOrDefault(f => f.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..]
            ?? throw new InvalidOperationException($"slurmd -C printed no {name}: {line}");

    private static string? FindWhyUnavailable()
    {
        if (!OperatingSystem.IsLinux()) return "The Slurm tests need Linux.";
        if (System.Environment.UserName != "root") return "The Slurm tests start slurmd, which runs jobs as their user: run them as root.";
        var missing = Programs.Where(p => ToolOrNull(p) is null).ToList();
        if (missing.Count > 0) return $"Slurm or munge is not installed (no {string.Join(", ", missing)}): apt-get install slurm-wlm munge.";
        if (!File.ReadAllLines("/etc/passwd").Any(l => l.StartsWith("munge:", StringComparison.Ordinal))) return "There is no munge user: apt-get install munge.";
        return null;
    }

    private static string Tool(string name) => ToolOrNull(name) ?? throw new InvalidOperationException($"{name} was not found.");

    private static string? ToolOrNull(string name)
    {
        var path = (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"]);
        return path.Where(d => d.Length > 0).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private static (int Controller, int Node) TwoFreePorts()
    {
        var first = new TcpListener(IPAddress.Loopback, 0);
        var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        var ports = (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
        first.Stop();
        second.Stop();
        return ports;
    }
}
