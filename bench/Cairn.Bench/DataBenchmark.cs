using System.Diagnostics;
using Cairn.Data;

namespace Cairn.Bench;

/// <summary>
/// Data versioning on this machine's disk, each figure beside a tool that does the same job, in
/// the same run: hashing a 1 GB file (cairn's hasher vs b3sum), `cairn data add` of that file (vs
/// cp, the copy into the cache it must make, and git annex add), `cairn data add` of 10,000 files
/// of 10 KB (vs git annex add), and `cairn data status` of that unchanged tree (vs git status of
/// the same files committed to git). The CLI figures are whole processes, startup included.
/// </summary>
public static class DataBenchmark
{
    private const int SmallFiles = 10_000;
    private const int SmallFileSize = 10 * 1024;

    public static void Run(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-data-");
        try
        {
            LargeFile(report, folder.FullName);
            ManyFiles(report, folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void LargeFile(Report report, string scratch)
    {
        var repo = NewRepo(scratch, "large");
        var file = Path.Combine(repo, "big.bin");
        WriteRandom(file, 1L << 30, seed: 1);
        Time("cat", file, ">/dev/null"); // warm the page cache for every contender alike

        // Interleaved, so that both see the same machine state; medians of 5.
        var (b3sumRuns, cairnRuns) = (new List<double>(), new List<double>());
        for (var round = 0; round < 5; round++)
        {
            b3sumRuns.Add(Time("b3sum", file));
            cairnRuns.Add(Measure(() => ContentHash.OfFile(file)));
        }
        var (b3sum, cairnHash) = (Report.Median(b3sumRuns), Report.Median(cairnRuns));
        var sha256 = Median(1, () => Time("sha256sum", file));
        report.Add("hash 1 GB file (cairn's BLAKE3 hasher, in process)", $"{1 / cairnHash:F2} GB/s ({cairnHash:F2} s)",
            $"b3sum {1 / b3sum:F2} GB/s ({b3sum:F2} s); sha256sum {1 / sha256:F2} GB/s", $"{b3sum / cairnHash:P0} of b3sum, {sha256 / cairnHash:F1}x sha256sum",
            ">= 80% of b3sum", b3sum / cairnHash >= 0.8);

        // Alternated, three times each, so that page-cache and writeback state weigh on both alike.
        var (copies, adds) = (new List<double>(), new List<double>());
        for (var round = 0; round < 3; round++)
        {
            File.Delete(Path.Combine(scratch, "copy.bin"));
            copies.Add(Time("cp", file, Path.Combine(scratch, "copy.bin")));
            var cache = Path.Combine(repo, ".cairn");
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
            adds.Add(Cli(repo, "data", "add", "big.bin"));
        }
        var (copy, add) = (Report.Median(copies), Report.Median(adds));
        report.Add("`cairn data add` of a 1 GB file (hash + verified copy into the cache, process)", $"{add:F2} s", $"cp of the same file {copy:F2} s",
            $"{copy / add:P0} of cp's speed", "(the copy is the floor on this disk)", true);

        // checkout hashes what it copies out of the cache, so a damaged object never reaches the workspace.
        var checkouts = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            File.Delete(file);
            checkouts.Add(Cli(repo, "data", "checkout", "big.bin"));
        }
        var checkout = Report.Median(checkouts);
        report.Add("`cairn data checkout` of a 1 GB file (copy out of the cache, verified against its digest, process)", $"{checkout:F2} s", $"cp of the same file {copy:F2} s",
            $"{copy / checkout:P0} of cp's speed", "report", true);

        var annexRepo = NewRepo(scratch, "annex-large");
        File.Move(Path.Combine(scratch, "copy.bin"), Path.Combine(annexRepo, "big.bin"));
        Run("git", annexRepo, "annex", "init", "-q", "bench");
        var annex = Measure(() => Run("git", annexRepo, "annex", "add", "-q", "big.bin"));
        report.Add("`cairn data add` 1 GB vs `git annex add` (moves the file, no copy)", $"{add:F2} s", $"git annex add {annex:F2} s",
            $"{annex / add:F2}x git annex's speed", "report", true);
    }

    private static void ManyFiles(Report report, string scratch)
    {
        var repo = NewRepo(scratch, "many");
        WriteSmallFiles(Path.Combine(repo, "small"));
        var add = Cli(repo, "data", "add", "small");
        var status = Median(3, () => Cli(repo, "data", "status"));
        var checkout = Median(3, () =>
        {
            Directory.Delete(Path.Combine(repo, "small"), recursive: true);
            return Cli(repo, "data", "checkout", "small");
        });
        var copyTarget = Path.Combine(scratch, "small-copy");
        var copy = Median(3, () =>
        {
            if (Directory.Exists(copyTarget)) Directory.Delete(copyTarget, recursive: true);
            return Measure(() => Run("cp", ".", "-r", Path.Combine(repo, "small"), copyTarget));
        });

        var annexRepo = NewRepo(scratch, "annex-many");
        WriteSmallFiles(Path.Combine(annexRepo, "small"));
        Run("git", annexRepo, "annex", "init", "-q", "bench");
        var annex = Measure(() => Run("git", annexRepo, "annex", "add", "-q", "small"));
        report.Add($"`cairn data add` of {SmallFiles:N0} files of 10 KB (process)", $"{add:F2} s", $"git annex add {annex:F2} s",
            $"{annex / add:F1}x git annex's speed", "< 3 s", add < 3);

        var gitRepo = NewRepo(scratch, "git-many");
        WriteSmallFiles(Path.Combine(gitRepo, "small"));
        Run("git", gitRepo, "add", "small");
        Run("git", gitRepo, "commit", "-q", "-m", "small files in git");
        var gitStatus = Median(3, () => Measure(() => Run("git", gitRepo, "status", "--porcelain")));
        report.Add($"`cairn data status`, {SmallFiles:N0} unchanged files (process)", $"{status:F2} s", $"git status of the same files in git {gitStatus:F2} s",
            $"{status / gitStatus:F1}x git status's time", "< 0.5 s", status < 0.5);
        report.Add($"`cairn data checkout` of {SmallFiles:N0} files of 10 KB (verified copies, process)", $"{checkout:F2} s", $"cp -r of the same folder {copy:F2} s",
            $"{checkout / copy:F1}x cp's time", "report", true);
    }

    private static string NewRepo(string scratch, string name)
    {
        var repo = Path.Combine(scratch, name);
        Directory.CreateDirectory(repo);
        Run("git", repo, "init", "-q", ".");
        return repo;
    }

    private static void WriteRandom(string path, long size, int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[1 << 24];
        using var output = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            output.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }

    private static void WriteSmallFiles(string folder)
    {
        var random = new Random(7);
        var buffer = new byte[SmallFileSize];
        for (var i = 0; i < SmallFiles; i++)
        {
            var sub = Path.Combine(folder, $"{i / 1000:D2}");
            Directory.CreateDirectory(sub);
            random.NextBytes(buffer);
            File.WriteAllBytes(Path.Combine(sub, $"{i:D5}.bin"), buffer);
        }
    }

    /// <summary>Seconds a `cairn` command takes as its own process, as a user runs it.</summary>
    private static double Cli(string directory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
        return Measure(() => Run("dotnet", directory, [dll, "--tracking-uri", Path.Combine(directory, ".cairn"), .. args]));
    }

    private static double Time(string tool, string file, string? destination = null)
    {
        if (destination == ">/dev/null") return Measure(() => Run("sh", ".", "-c", $"{tool} '{file}' >/dev/null"));
        return destination is null ? Measure(() => Run(tool, ".", file)) : Measure(() => Run(tool, ".", file, destination));
    }

    private static double Measure(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(int times, Func<double> measure) => Report.Median(Enumerable.Range(0, times).Select(_ => measure()).ToList());

    private static void Run(string file, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["GIT_AUTHOR_NAME"] = info.Environment["GIT_COMMITTER_NAME"] = "bench";
        info.Environment["GIT_AUTHOR_EMAIL"] = info.Environment["GIT_COMMITTER_EMAIL"] = "bench@example.com";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}{stdout.Result}");
    }
}
