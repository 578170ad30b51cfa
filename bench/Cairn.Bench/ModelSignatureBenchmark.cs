using System.Diagnostics;
using Cairn.Models;
using Cairn.Models.Signing;

namespace Cairn.Bench;

/// <summary>
/// A 100 MB model package (a random weights file and MLmodel, sealed with digests.json) registered
/// in an embedded store and signed with an Ed25519 key. Timed: loading the version's package as
/// Cairn does (fetch from the store + check every file's BLAKE3 digest), unsigned, against the same
/// with the signature checked (envelope read, DSSE signature verified, digests.json's SHA-256
/// compared) — alternated, each on a fresh folder.
/// </summary>
public static class ModelSignatureBenchmark
{
    private const int SizeBytes = 100 * 1024 * 1024;

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-signature-");
        try
        {
            using var cairn = CairnClient.Open(Path.Combine(folder.FullName, "store"));
            var uri = await RegisterPackageAsync(cairn, folder.FullName);
            var key = SigningKey.Generate(SigningAlgorithms.Ed25519);
            await new ModelSignatures(cairn).SignAsync(uri, key);
            var trusted = new TrustedKeys([key.PublicKey]);
            var registry = new ModelRegistry(cairn);

            async Task<double> Unsigned(string target)
            {
                var clock = Stopwatch.StartNew();
                var (_, packagePath) = await registry.ResolveAsync(uri);
                await registry.DownloadPackageAsync(packagePath, target);
                ModelPackage.Open(target);
                return clock.Elapsed.TotalMilliseconds;
            }

            async Task<double> Signed(string target)
            {
                var clock = Stopwatch.StartNew();
                await new ModelSignatures(cairn).DownloadVerifiedAsync(uri, trusted, target);
                return clock.Elapsed.TotalMilliseconds;
            }

            var unsigned = new List<double>();
            var signed = new List<double>();
            for (var i = -1; i < 10; i++) // the first round warms up; the order alternates so neither always runs second
            {
                double a, b;
                if (i % 2 == 0)
                {
                    a = await Timed(Unsigned, folder.FullName);
                    b = await Timed(Signed, folder.FullName);
                }
                else
                {
                    b = await Timed(Signed, folder.FullName);
                    a = await Timed(Unsigned, folder.FullName);
                }
                if (i < 0) continue;
                unsigned.Add(a);
                signed.Add(b);
            }
            var load = Report.Median(unsigned);
            var verified = Report.Median(signed);
            report.Add($"load a signed {SizeBytes / (1024 * 1024)} MB package with its signature verified (fetch + DSSE Ed25519 + digests)", $"{verified:F0} ms median",
                $"{load:F0} ms loading it unsigned (fetch + digests)", $"{verified / load:F2}x", "< 1.5x", verified / load < 1.5);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<double> Timed(Func<string, Task<double>> load, string root)
    {
        var target = Path.Combine(root, "load-" + Guid.NewGuid().ToString("N"));
        try
        {
            return await load(target);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    private static async Task<string> RegisterPackageAsync(CairnClient cairn, string root)
    {
        var package = Path.Combine(root, "package");
        Directory.CreateDirectory(package);
        var weights = new byte[SizeBytes];
        Random.Shared.NextBytes(weights);
        await File.WriteAllBytesAsync(Path.Combine(package, "weights.bin"), weights);
        using var run = cairn.StartRun("signature-bench");
        ModelPackage.Seal(package, ModelManifest.Create("model", run.RunId, null));
        run.LogArtifacts(package, "model");
        var version = await new ModelRegistry(cairn).RegisterAsync($"runs:/{run.RunId}/model", "signed-bench");
        return $"models:/signed-bench/{version.Version}";
    }
}
