using System.Diagnostics;
using Cairn.Deployments.Replicas;

namespace Cairn.Deployments.Tests.Replicas;

using Rows = IReadOnlyList<IReadOnlyDictionary<string, object?>>;

/// <summary>Replicas as real <c>cairn serve</c> child processes, serving a package folder.</summary>
public sealed class ProcessReplicaTests(PointsPackage points) : IClassFixture<PointsPackage>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_remote_replica_answers_exactly_what_the_model_answers_in_process()
    {
        await using var remote = await points.Launcher().StartAsync(points.Folder, default);
        var local = new LocalReplica(points.Model);

        foreach (var rows in new[] { points.JsonRows(40), points.ClrRows(40), points.JsonRows(1) })
        {
            var expected = await local.PredictAsync(rows, default);
            var actual = await remote.PredictAsync(rows, default);
            AssertIdentical(expected, actual);
        }
        Assert.False(remote.IsLocal);
        Assert.True(remote.Healthy);

        // A bad input (from a JSON body) is the same CairnException either way.
        Rows bad = [new Dictionary<string, object?> { ["X"] = Json("far"), ["Y"] = Json(0.5), ["Color"] = Json("red") }];
        var inProcess = await Assert.ThrowsAsync<CairnException>(() => local.PredictAsync(bad, default));
        var overHttp = await Assert.ThrowsAsync<CairnException>(() => remote.PredictAsync(bad, default));
        Assert.Equal(inProcess.ErrorCode, overHttp.ErrorCode);
        Assert.Equal(inProcess.Message, overHttp.Message);
    }

    [Fact]
    public async Task A_remote_replica_keeps_keys_and_vectors_as_the_model_gives_them()
    {
        await using var remote = await points.Launcher().StartAsync(points.ClassesFolder, default);
        var rows = points.JsonRows(30);

        var expected = await new LocalReplica(points.ClassesModel).PredictAsync(rows, default);
        var actual = await remote.PredictAsync(rows, default);

        Assert.IsType<uint>(expected[0]["PredictedLabel"]);
        Assert.IsType<float[]>(expected[0]["Score"]);
        AssertIdentical(expected, actual);
    }

    [Fact]
    public async Task Scaling_to_two_starts_a_process_and_requests_go_to_both()
    {
        var local = new HeldReplica(new LocalReplica(points.Model));
        await using var set = new ReplicaSet(points.Folder, local, points.Launcher());

        await set.ScaleToAsync(2, default);

        Assert.Equal(2, set.Count);
        var remote = Assert.IsType<RemoteReplica>(set.Replicas.Single(r => !r.IsLocal));
        Assert.False(Process.GetProcessById(remote.ProcessId).HasExited);
        var held = set.PredictAsync(points.JsonRows(3), default); // held in the local replica
        await local.Entered.Task.WaitAsync(Patience);
        await set.PredictAsync(points.JsonRows(3), default); // so this one goes to the process
        local.Release();
        await held;
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => set.PredictAsync(points.ClrRows(5), default))));

        var states = set.States.ToDictionary(s => s.Id);
        Assert.True(states["local"].Requests >= 1);
        Assert.True(states[remote.Id].Requests >= 1);
        Assert.Equal(42, states.Values.Sum(s => s.Requests));
        Assert.All(states.Values, s => Assert.Equal(0, s.Failures));
    }

    [Fact]
    public async Task A_killed_replica_loses_no_request_and_is_replaced()
    {
        var local = new LocalReplica(points.Model);
        await using var set = new ReplicaSet(points.Folder, local, points.Launcher());
        await set.ScaleToAsync(2, default);
        var victim = Assert.IsType<RemoteReplica>(set.Replicas.Single(r => !r.IsLocal));
        var restarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        set.ReplicaRestarted += reason => restarted.TrySetResult(reason);
        var expected = await local.PredictAsync(points.JsonRows(4), default);

        var errors = new List<Exception>();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        async Task Stream()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    AssertIdentical(expected, await set.PredictAsync(points.JsonRows(4), default));
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) { lock (errors) errors.Add(e); }
            }
        }
        var streams = Enumerable.Range(0, 4).Select(_ => Task.Run(Stream)).ToList();
        var deadline = DateTime.UtcNow + Patience;
        while (set.States.Single(s => s.Id == victim.Id).Requests == 0 && errors.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no request reached the replica process");
            await Task.Delay(5);
        }

        Process.GetProcessById(victim.ProcessId).Kill(entireProcessTree: true); // as a crash would: no goodbye
        var reason = await restarted.Task.WaitAsync(Patience);
        var afterRestart = Volatile.Read(ref answered);
        while (Volatile.Read(ref answered) < afterRestart + 20 && errors.Count == 0 && DateTime.UtcNow < deadline + Patience) await Task.Delay(5);
        stop.Cancel();
        await Task.WhenAll(streams);

        Assert.Empty(errors);
        Assert.Contains($"replica {victim.Id} (pid {victim.ProcessId})", reason);
        Assert.Contains("replaced by", reason);
        Assert.Equal(2, set.Count);
        var replacement = Assert.IsType<RemoteReplica>(set.Replicas.Single(r => !r.IsLocal));
        Assert.NotEqual(victim.Id, replacement.Id);
        AssertIdentical(expected, await replacement.PredictAsync(points.JsonRows(4), default));
    }

    [Fact]
    public async Task A_replica_that_never_becomes_ready_is_stopped_with_a_clear_error()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return; // a POSIX shell plays the stuck server
        using var folder = new Cairn.Testing.TempFolder();
        var pids = folder.File("pids");
        // `sh -c <script> serve <uri> ...`: the serve arguments become the script's $0, $1 ...; it never listens.
        var launcher = new ProcessReplicaLauncher("sh",
            ["-c", "sleep 600 & echo $! > \"$PIDS\"; echo $$ >> \"$PIDS\"; echo 'loading the model, slowly' >&2; wait"],
            new Dictionary<string, string> { ["PIDS"] = pids }) { ReadyTimeout = TimeSpan.FromSeconds(3) };

        var e = await Assert.ThrowsAsync<CairnException>(() => launcher.StartAsync(points.Folder, default));

        Assert.Equal(ErrorCodes.InvalidState, e.ErrorCode);
        Assert.Contains("did not become ready within 3 s and was stopped", e.Message);
        Assert.Contains("loading the model, slowly", e.Message);
        var started = File.ReadAllLines(pids).Select(int.Parse).ToList();
        Assert.Equal(2, started.Count); // the shell and its child
        foreach (var pid in started) Assert.True(await GoneAsync(pid), $"process {pid} is still running");
    }

    [Fact]
    public async Task A_replica_that_exits_at_start_reports_what_the_cli_said()
    {
        var e = await Assert.ThrowsAsync<CairnException>(() => points.Launcher().StartAsync(Path.Combine(points.Folder, "missing"), default));

        Assert.Contains("exited before it listened", e.Message);
        Assert.Contains($"serve {Path.Combine(points.Folder, "missing")} --host 127.0.0.1 --port 0", e.Message); // the command is named
        Assert.Contains("exit code", e.Message);
    }

    private static System.Text.Json.JsonElement Json<T>(T value) => System.Text.Json.JsonSerializer.SerializeToElement(value);

    /// <summary>Gone, or a zombie nobody reaped yet (it runs nothing).</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return true;
            try
            {
                var text = File.ReadAllText(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z')) return true;
            }
            catch (IOException) { return true; }
            await Task.Delay(50);
        }
        return OperatingSystem.IsMacOS();
    }

    /// <summary>Same rows, same columns in the same order, same CLR types and values (arrays item by item).</summary>
    internal static void AssertIdentical(Rows expected, Rows actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Keys, actual[i].Keys);
            foreach (var (key, value) in expected[i])
            {
                var other = actual[i][key];
                Assert.Equal(value?.GetType(), other?.GetType());
                if (value is Array a) Assert.Equal(a.Cast<object>(), ((Array)other!).Cast<object>());
                else Assert.Equal(value, other);
            }
        }
    }
}

/// <summary>Holds its first request until released, so that the next one finds it busy.</summary>
internal sealed class HeldReplica(IReplica inner) : IReplica
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public string Id => inner.Id;
    public bool IsLocal => inner.IsLocal;
    public int InFlight => inner.InFlight;
    public bool Healthy => inner.Healthy;
    public Task Exited => inner.Exited;

    public void Release() => _release.TrySetResult();

    public async Task<Rows> PredictAsync(Rows rows, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            Entered.TrySetResult();
            await _release.Task;
        }
        return await inner.PredictAsync(rows, ct);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
