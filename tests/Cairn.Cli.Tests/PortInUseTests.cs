using System.Net;
using System.Net.Sockets;
using Cairn.Models;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Cli.Tests;

/// <summary>`cairn server` and `cairn serve` on a port another program holds: one line, no stack trace.</summary>
public class PortInUseTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private sealed class Point
    {
        public float X { get; set; }
        public bool Label { get; set; }
    }

    private string LogModel()
    {
        var ml = new MLContext(seed: 1);
        var points = Enumerable.Range(0, 100).Select(i => new Point { X = i / 100f, Label = i > 50 }).ToList();
        var data = ml.Data.LoadFromEnumerable(points);
        var model = ml.Transforms.Concatenate("Features", "X").Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label")).Fit(data);
        using var cairn = CairnClient.Open(_folder.Path);
        using var run = cairn.StartRun("points");
        return run.LogModel("model", ml, model, data.Schema, labelColumn: "Label").ModelUri;
    }

    [Theory]
    [InlineData("server")]
    [InlineData("serve")]
    public async Task Command_PortInUse_PrintsOneLineAndExitsNonZero(string command)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args = command == "server"
            ? ["server", "--port", port, "--backend-store-uri", _folder.Path]
            : ["serve", LogModel(), "--port", port, "--inference-log", "none"];

        using var cairn = ChildProcess.StartDll("cairn.dll", args, new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = _folder.Path });
        var exit = await cairn.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exit);
        var said = (cairn.StandardOutput + cairn.StandardError).Trim();
        Assert.Equal($"error: port {port} is in use (try --port 0 or another port)", said);
    }
}
