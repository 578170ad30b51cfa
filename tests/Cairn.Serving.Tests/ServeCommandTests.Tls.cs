using System.Text.RegularExpressions;
using Cairn.Models;
using Cairn.Registry;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Serving.Tests;

/// <summary>`cairn serve --tls-cert --tls-key`: predictions over https, checked against the private CA that issued the certificate.</summary>
public partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_WithTls_AnswersAPredictionOverHttps_ToAClientTrustingItsCa()
    {
        using var folder = new TempFolder();
        using var authority = new TestCertificateAuthority();
        var (certificate, key) = authority.WriteServerCertificate(folder.Path);
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(i => new Point { X = i / 200f, Label = i > 100 }).ToList());
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using (var cairn = CairnClient.Open(folder.File("store")))
        {
            string uri;
            using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
            await new ModelRegistry(cairn).RegisterAsync(uri, "threshold");
        }

        using var server = ChildProcess.StartDll("cairn.dll", ["serve", "models:/threshold/1", "--port", "0", "--tls-cert", certificate, "--tls-key", key],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = folder.File("store") });
        var line = await server.WaitForLineAsync(l => l.Contains("Serving"), TimeSpan.FromSeconds(60));
        var address = new Uri(HttpsAddress().Match(line).Value);
        using var trusting = new InferenceClient(address, tls: TlsTrust.FromCaBundle(authority.WriteBundle(folder.File("ca.pem"))));
        using var untrusting = new InferenceClient(address);

        var result = await trusting.InferAsync("threshold", [new TensorColumn("X", new[] { 0.95f, 0.05f }, 1)], rows: 2);
        var refused = await Assert.ThrowsAsync<CairnException>(() => untrusting.IsReadyAsync("threshold"));

        Assert.Equal([true, false], (bool[])result["PredictedLabel"].Values);
        Assert.Contains("Cannot open a secure connection", refused.Message);
    }

    [GeneratedRegex(@"https://[0-9.]+:[0-9]+")]
    private static partial Regex HttpsAddress();
}
