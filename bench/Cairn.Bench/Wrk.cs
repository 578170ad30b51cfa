using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Bench;

/// <summary>
/// The serving benchmarks' closed-loop load generator: wrk, one thread, keep-alive connections,
/// as a separate process on the same cores. Needs <c>wrk</c> on the PATH (<c>apt-get install wrk</c>).
/// </summary>
public static partial class Wrk
{
    /// <summary>Writes a wrk script that POSTs <paramref name="body"/> as JSON; returns its path.</summary>
    public static string Script(string folder, string body, string name = "post.lua")
    {
        var script = Path.Combine(folder, name);
        File.WriteAllText(script, $"wrk.method = \"POST\"\nwrk.body = [==[{body}]==]\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
        return script;
    }

    /// <summary>Writes a wrk script of plain GETs; returns its path.</summary>
    public static string GetScript(string folder)
    {
        var script = Path.Combine(folder, "get.lua");
        File.WriteAllText(script, "wrk.method = \"GET\"\n");
        return script;
    }

    /// <summary>Requests per second over <paramref name="seconds"/>; throws when wrk saw an error answer.</summary>
    public static double Rate(string url, string script, int seconds, int connections = 64)
    {
        var output = Run($"-t1 -c{connections} -d{seconds}s -s {script} {url}");
        if (output.Contains("Non-2xx", StringComparison.Ordinal)) throw new InvalidOperationException($"wrk saw errors: {output}");
        return RateIn(output);
    }

    /// <summary>Rate and p99 latency (ms) from wrk --latency, usually with few connections.</summary>
    public static (double Rate, double P99Ms) Latency(string url, string script, int seconds, int connections)
    {
        var output = Run($"-t1 -c{connections} -d{seconds}s --latency -s {script} {url}");
        var p99 = P99().Match(output);
        if (!p99.Success) throw new InvalidOperationException($"wrk printed no latency distribution: {output}");
        var value = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture);
        return (RateIn(output), p99.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value });
    }

    private static double RateIn(string output)
    {
        var match = RequestsPerSecond().Match(output);
        if (!match.Success) throw new InvalidOperationException($"wrk printed no rate: {output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static string Run(string args)
    {
        using var process = Process.Start(new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [GeneratedRegex(@"99%\s+([0-9.]+)(us|ms|s)")]
    private static partial Regex P99();

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();
}
