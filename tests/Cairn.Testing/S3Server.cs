using System.Text.RegularExpressions;
using Amazon.Runtime;
using Cairn.Storage.S3;

namespace Cairn.Testing;

/// <summary>
/// A real S3-compatible server for the tests: npm's <c>s3rver</c> on 127.0.0.1 with a free port
/// and a bucket named <c>cairn</c>, started once per test process. It checks request signatures,
/// so the credentials must be its own (S3RVER/S3RVER).
/// </summary>
public sealed partial class S3Server
{
    public const string Bucket = "cairn";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private static readonly Lazy<S3Server> Shared = new(() => new S3Server());
    private readonly ChildProcess _process;

    public static S3Server Instance => Shared.Value;
    public string Endpoint { get; }

    private S3Server()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cairn-s3-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        // Through a small watchdog shell: if this test process is killed (no ProcessExit), the
        // server stops within a second instead of outliving it.
        var watchdog = $"\"$0\" \"$@\" & server=$!; trap 'kill $server 2>/dev/null' EXIT; " +
                       $"while kill -0 {System.Environment.ProcessId} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done";
        _process = ChildProcess.Start("/bin/sh", ["-c", watchdog, Executable(), "-d", folder, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket, "--silent"]);
        var line = _process.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        Endpoint = "http://" + Listening().Match(line).Groups[1].Value;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _process.Dispose();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        };
    }

    /// <summary>A store under a fresh prefix of the bucket.</summary>
    public S3ArtifactStore NewStore() => S3ArtifactStore.Open($"s3://{Bucket}/{Guid.NewGuid():N}", Endpoint, new BasicAWSCredentials(AccessKey, SecretKey));

    /// <summary>Environment variables that point the AWS SDK of a child process at this server.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey, ["AWS_SECRET_ACCESS_KEY"] = SecretKey, ["AWS_ENDPOINT_URL_S3"] = Endpoint, ["AWS_REGION"] = "us-east-1",
    };

    private static string Executable()
    {
        foreach (var candidate in new[] { "/usr/bin/s3rver", "/usr/local/bin/s3rver" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("s3rver was not found; install it with: npm install -g s3rver@3.7.1");
    }

    [GeneratedRegex(@"listening on ([0-9.]+:[0-9]+)")]
    private static partial Regex Listening();
}
