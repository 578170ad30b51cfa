using Cairn.Deployments.Hosting;
using Cairn.Deployments.Management;
using Cairn.Deployments.Replicas;
using Cairn.Models;
using Cairn.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

/// <summary>How an endpoint is served, for <c>cairn deploy serve</c> and <c>cairn server --endpoint</c>.</summary>
internal sealed record EndpointServingSettings(string Address, int? Port, string? Flavor, TimeSpan Poll, InferenceLog? Log,
    IReadOnlyList<string> AllowedHosts, IReadOnlyList<string> CorsOrigins, string? ReplicaTrackingUri);

/// <summary>An endpoint's router on the serving protocols, following its record in the store; started and listening.</summary>
internal sealed class EndpointServing : IAsyncDisposable
{
    private EndpointServing(EndpointHost host, WebApplication app, ModelServerOptions options) => (Host, App, Options) = (host, app, options);

    public EndpointHost Host { get; }
    public WebApplication App { get; }
    public ModelServerOptions Options { get; }

    public static async Task<EndpointServing> StartAsync(CairnClient client, string name, EndpointServingSettings settings, Action<string> report, CancellationToken ct)
    {
        var batching = new BatchingOptions();
        async Task<ServedModel> Load(string uri, string servedName, CancellationToken token)
        {
            var model = await client.LoadModelAsync(uri, settings.Flavor, token);
            return new ServedModel(servedName, model.Version?.Version ?? "1", model.Predictor, model.Flavor == ModelManifest.OnnxFlavor ? batching : null);
        }
        // Replica processes are this same cairn serving one version each, on the same store; the router logs their answers.
        var replicas = ProcessReplicaLauncher.ForThisProcess(
            settings.ReplicaTrackingUri is { } uri ? new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = uri } : null,
            settings.Flavor is { } f ? ["--flavor", f] : null);
        var host = new EndpointHost(new EndpointManager(client, client.Endpoints), name, Load, settings.Log, settings.Poll, report, replicas: replicas);
        try
        {
            await host.StartAsync(ct);
            var options = new ModelServerOptions(host.Router) { Address = settings.Address, Log = settings.Log, AllowedHosts = settings.AllowedHosts, CorsOrigins = settings.CorsOrigins }
                .FromEnvironment(settings.Port);
            var app = ModelServer.Build(options);
            app.MapEndpointStatus(host);
            await Listening.StartAsync(app, options.Port, ct);
            return new EndpointServing(host, app, options);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public string Describe()
    {
        var served = Host.Router.Endpoint!;
        return $"endpoints:/{served.Name} revision {served.Revision} ({DeployCommands.Variants(served.Spec)}) on {ServeCommand.Address(App)}: "
            + $"/v2/models/{served.Name}/infer, /v1/models/{served.Name}:predict, /invocations, /score, {Options.VertexPredictRoute}, /metrics, {EndpointStatusApi.Route}";
    }

    /// <summary>Follows the endpoint until the server stops; then the log is flushed and the models released.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, App.Lifetime.ApplicationStopping);
        var following = Host.RunAsync(linked.Token);
        try { await App.WaitForShutdownAsync(stop); }
        finally
        {
            await linked.CancelAsync();
            await following;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Host.DisposeAsync();
    }
}
