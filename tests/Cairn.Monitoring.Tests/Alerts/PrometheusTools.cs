using System.Net;
using System.Net.Sockets;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Alerts;

/// <summary>
/// The real Prometheus and Alertmanager (Debian's <c>prometheus</c> and <c>prometheus-alertmanager</c>),
/// each started on 127.0.0.1 with a temp config and storage, killed on Dispose.
/// </summary>
internal sealed class PrometheusTool : IDisposable
{
    public const string PrometheusPath = "/usr/bin/prometheus";
    public const string AlertmanagerPath = "/usr/bin/prometheus-alertmanager";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly TempFolder _folder;
    private readonly ChildProcess _process;

    public Uri BaseUri { get; }
    public string Output => _process.StandardOutput + _process.StandardError;

    private PrometheusTool(TempFolder folder, ChildProcess process, Uri baseUri)
    {
        _folder = folder;
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>Alertmanager whose one receiver is a webhook (resolves included), grouping by alert and monitor with short waits.</summary>
    public static Task<PrometheusTool> StartAlertmanagerAsync(Uri webhook)
    {
        var folder = new TempFolder();
        File.WriteAllText(folder.File("alertmanager.yml"), $"""
            route:
              receiver: test
              group_by: [alertname, monitor]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: test
                webhook_configs:
                  - url: '{webhook}'
                    send_resolved: true
            """);
        var port = FreePort();
        return StartAsync(folder, Require(AlertmanagerPath, "prometheus-alertmanager"), port,
            $"--config.file={folder.File("alertmanager.yml")}", $"--storage.path={folder.File("data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=");
    }

    /// <summary>Prometheus scraping <paramref name="target"/> every second, evaluating <paramref name="rules"/> every second, alerting <paramref name="alertmanager"/>.</summary>
    public static Task<PrometheusTool> StartPrometheusAsync(Uri target, Uri alertmanager, string rules) =>
        StartPrometheusAsync([target], alertmanager, rules);

    /// <summary>Prometheus scraping every one of <paramref name="targets"/> (one job, <c>cairn</c>).</summary>
    public static Task<PrometheusTool> StartPrometheusAsync(IReadOnlyList<Uri> targets, Uri alertmanager, string rules)
    {
        var folder = new TempFolder();
        File.WriteAllText(folder.File("rules.yml"), rules);
        File.WriteAllText(folder.File("prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ['{folder.File("rules.yml")}']
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ['{alertmanager.Authority}']
            scrape_configs:
              - job_name: cairn
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t.Authority}'"))}]
            """);
        var port = FreePort();
        return StartAsync(folder, Require(PrometheusPath, "prometheus"), port,
            $"--config.file={folder.File("prometheus.yml")}", $"--storage.tsdb.path={folder.File("data")}",
            $"--web.listen-address=127.0.0.1:{port}");
    }

    private static string Require(string path, string package) =>
        File.Exists(path) ? path
        : throw new Xunit.Sdk.XunitException($"{path} is missing: install it with 'apt-get install {package}' (.ci/run installs it for CI).");

    private static async Task<PrometheusTool> StartAsync(TempFolder folder, string binary, int port, params string[] args)
    {
        var tool = new PrometheusTool(folder, ChildProcess.Start(binary, args), new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await tool.WaitReadyAsync();
            return tool;
        }
        catch
        {
            tool.Dispose();
            throw;
        }
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.Process.HasExited) throw new InvalidOperationException($"It exited with {_process.Process.ExitCode}: {Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "-/ready"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Not ready within {Wait}: {Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _process.Dispose();
        _folder.Dispose();
    }
}
