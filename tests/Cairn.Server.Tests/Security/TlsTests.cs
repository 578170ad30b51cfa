using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>`cairn server --tls-cert --tls-key` with a certificate from a private CA, started as a user starts it.</summary>
public sealed partial class TlsServerFixture : IAsyncLifetime
{
    public TempFolder Folder { get; } = new();
    public TestCertificateAuthority Authority { get; } = new();
    public string Bundle { get; private set; } = "";
    public string ListeningLine { get; private set; } = "";
    public Uri BaseUri { get; private set; } = null!;
    private ChildProcess _server = null!;

    public async Task InitializeAsync()
    {
        var (certificate, key) = Authority.WriteServerCertificate(Folder.Path);
        Bundle = Authority.WriteBundle(Folder.File("ca.pem"));
        _server = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", Folder.File("store"), "--no-scheduler", "--tls-cert", certificate, "--tls-key", key]);
        ListeningLine = await _server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        BaseUri = new Uri(ListeningOn().Match(ListeningLine).Groups[1].Value);
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        Authority.Dispose();
        Folder.Dispose();
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"listening on (https://[^\s]+)")]
    private static partial Regex ListeningOn();
}

/// <summary>The SDK and CLI against an https server: the system's roots refuse a private CA's certificate, its bundle makes it trusted, another CA's does not.</summary>
public sealed class TlsTests(TlsServerFixture server) : IClassFixture<TlsServerFixture>
{
    private static Func<string, string?> Variables(params (string Name, string Value)[] set) => name => set.FirstOrDefault(v => v.Name == name).Value;

    private async Task<string> LogARunAsync(TlsTrust tls)
    {
        using var client = CairnClient.Open(server.BaseUri.ToString(), tls: tls);
        using (var run = client.StartRun("over-tls"))
        {
            run.LogMetric("auc", 0.91);
            return run.RunId;
        }
    }

    [Fact]
    public async Task TheServer_SaysItListensOnHttps_AndTheSdkLogsARunWhenGivenTheCaBundle()
    {
        var runId = await LogARunAsync(TlsTrust.FromCaBundle(server.Bundle));

        using var client = CairnClient.Open(server.BaseUri.ToString(), tls: TlsTrust.FromCaBundle(server.Bundle));
        Assert.StartsWith("https://", server.BaseUri.ToString());
        Assert.Equal(0.91, (await client.Tracking.GetRunAsync(runId)).Data.Metrics.Single().Value);
    }

    [Fact]
    public async Task WithTheSystemRootsOnly_ThePrivateCertificateIsRefused_WithACairnErrorThatNamesTheBundleVariable()
    {
        using var client = CairnClient.Open(server.BaseUri.ToString(), tls: TlsTrust.System);

        var refused = await Assert.ThrowsAsync<CairnException>(() => client.Tracking.GetExperimentByNameAsync("Default"));

        Assert.Contains("secure connection", refused.Message);
        Assert.Contains(TlsTrust.CaBundleVariable, refused.Message);
    }

    [Fact]
    public async Task ACertificateFromAnotherCa_IsRefused_EvenWithABundle()
    {
        using var other = new TestCertificateAuthority("Another CA");
        var otherBundle = other.WriteBundle(server.Folder.File($"other-{Guid.NewGuid():N}.pem"));
        using var client = CairnClient.Open(server.BaseUri.ToString(), tls: TlsTrust.FromCaBundle(otherBundle));

        var refused = await Assert.ThrowsAsync<CairnException>(() => client.Tracking.GetExperimentByNameAsync("Default"));

        Assert.Contains(otherBundle, refused.Message);
    }

    [Theory]
    [InlineData(TlsTrust.CaBundleVariable)]
    [InlineData(TlsTrust.MlflowCertPathVariable)]
    public async Task TheBundle_IsReadFromCairnsOrMlflowsVariable(string variable)
    {
        var tls = TlsTrust.FromEnvironment(Variables((variable, server.Bundle)));

        var runId = await LogARunAsync(tls);

        Assert.Equal(server.Bundle, tls.CaBundle);
        Assert.NotEmpty(runId);
    }

    [Fact]
    public async Task MlflowsInsecureVariable_SkipsTheCheck()
    {
        var tls = TlsTrust.FromEnvironment(Variables((TlsTrust.MlflowInsecureVariable, "true")));

        var runId = await LogARunAsync(tls);

        Assert.True(tls.IsInsecure);
        Assert.NotEmpty(runId);
    }

    [Fact]
    public void AnUnusableBundleOrFlag_IsAClearError()
    {
        var notPem = server.Folder.File("not-a-bundle.txt");
        File.WriteAllText(notPem, "hello");

        var missing = Assert.Throws<CairnException>(() => TlsTrust.FromEnvironment(Variables((TlsTrust.CaBundleVariable, server.Folder.File("missing.pem")))));
        var empty = Assert.Throws<CairnException>(() => TlsTrust.FromCaBundle(notPem));
        var both = Assert.Throws<CairnException>(() => TlsTrust.FromEnvironment(Variables((TlsTrust.CaBundleVariable, server.Bundle), (TlsTrust.MlflowInsecureVariable, "1"))));
        var flag = Assert.Throws<CairnException>(() => TlsTrust.FromEnvironment(Variables((TlsTrust.MlflowInsecureVariable, "yes please"))));

        Assert.Contains("missing.pem' does not exist", missing.Message);
        Assert.Contains("holds no PEM certificate", empty.Message);
        Assert.Contains("both set", both.Message);
        Assert.Contains("must be true or false", flag.Message);
    }

    [Fact]
    public async Task TheCli_TrustsTheBundleFromItsVariable_WarnsWhenInsecure_AndOtherwiseRefuses()
    {
        string[] list = ["experiments", "list", "--tracking-uri", server.BaseUri.ToString()];

        using var bundled = ChildProcess.StartDll("cairn.dll", list, new Dictionary<string, string> { [TlsTrust.CaBundleVariable] = server.Bundle });
        using var insecure = ChildProcess.StartDll("cairn.dll", list, new Dictionary<string, string> { [TlsTrust.MlflowInsecureVariable] = "true" });
        using var plain = ChildProcess.StartDll("cairn.dll", list);

        Assert.Equal(0, await bundled.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await insecure.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("certificates are not checked", insecure.StandardError);
        Assert.Equal(2, await plain.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Cannot open a secure connection", plain.StandardError);
        Assert.DoesNotContain("   at ", plain.StandardError);
    }
}

/// <summary>What `cairn server` refuses to start with: one TLS file without the other, files that are missing, not PEM, or a key of another certificate.</summary>
public sealed class TlsOptionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TestCertificateAuthority _authority = new();

    public void Dispose()
    {
        _authority.Dispose();
        _folder.Dispose();
    }

    private async Task<(int Exit, string Err)> ServerAsync(params string[] args)
    {
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["server", "--port", "0", "--no-scheduler", "--backend-store-uri", _folder.File("store"), .. args], new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [Fact]
    public async Task BadTlsFiles_AreRefusedInOneLine()
    {
        var (certificate, key) = _authority.WriteServerCertificate(_folder.Path, "one");
        var (_, otherKey) = _authority.WriteServerCertificate(_folder.Path, "two");
        var notPem = _folder.File("not.pem");
        File.WriteAllText(notPem, "not a certificate");

        var alone = await ServerAsync("--tls-cert", certificate);
        var missing = await ServerAsync("--tls-cert", _folder.File("missing.crt"), "--tls-key", key);
        var garbage = await ServerAsync("--tls-cert", notPem, "--tls-key", key);
        var mismatched = await ServerAsync("--tls-cert", certificate, "--tls-key", otherKey);

        Assert.All([alone, missing, garbage, mismatched], r => Assert.Equal(2, r.Exit));
        Assert.Contains("--tls-cert and --tls-key go together", alone.Err);
        Assert.Contains("missing.crt does not exist", missing.Err);
        Assert.Contains("Cannot serve https", garbage.Err);
        Assert.Contains("Cannot serve https", mismatched.Err);
        Assert.All([alone, missing, garbage, mismatched], r => Assert.Single(r.Err.Trim().Split('\n')));
    }
}
