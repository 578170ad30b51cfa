using System.CommandLine;
using Cairn.Models;
using Cairn.Models.Explain;
using Cairn.Registry;
using Cairn.Serving;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Cairn.Cli.Commands;

internal static class ServeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>@<alias>, models:/<name>/<version>, runs:/<run_id>/<path>, or a package folder." };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port", "-p") { Description = "Port (default: AIP_HTTP_PORT, SAGEMAKER_BIND_TO_PORT, else 8080; 0 picks a free one)." };
        var flavor = new Option<string?>("--flavor") { Description = "mlnet or onnx (default: mlnet when the package has it)." };
        var name = new Option<string?>("--name") { Description = "The model's name on the protocol routes (default: its registered name)." };
        var versionOption = new Option<string?>("--version") { Description = "The version to report (default: the registered version)." };
        var watch = new Option<int?>("--watch") { Description = "Seconds between checks of the alias; a new version is loaded beside the old one and swapped in." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most rows per model call when batching (onnx flavor).", DefaultValueFactory = _ => 64 };
        var maxWait = new Option<double>("--max-wait-ms") { Description = "Extra wait for a batch to fill under load (default 0: a batch is what queued while the model was busy).", DefaultValueFactory = _ => 0 };
        var maxQueue = new Option<int>("--max-queue") { Description = "Most requests waiting; beyond it the server answers 503 with Retry-After.", DefaultValueFactory = _ => 1024 };
        var log = new Option<string>("--inference-log") { Description = "Folder of the Parquet inference log, or 'none'.", DefaultValueFactory = _ => Path.Combine(TrackingUri.DefaultFolder, "inference-log") };
        var sample = new Option<double>("--log-sample-rate") { Description = "Share of requests logged (0 to 1).", DefaultValueFactory = _ => 1.0 };
        var requireSignature = new Option<bool>("--require-signature") { Description = "Serve only a registered version signed by a key in --trusted-keys whose files match what was signed (also for versions swapped in by --watch)." };
        var trustedKeys = new Option<string?>("--trusted-keys") { Description = "A public key file, or a folder of them (*.pem), for --require-signature." };
        var explain = new ServeExplainOptions();
        var features = new ServeFeatureOptions();
        // SageMaker starts a container as `docker run IMAGE serve`: a built image's entrypoint is
        // `cairn serve /model ...`, so that word arrives after it, and only that word is taken.
        var sageMaker = new Argument<string?>("sagemaker-mode") { Description = "'serve', as SageMaker passes it to a container.", Arity = ArgumentArity.ZeroOrOne, Hidden = true };
        sageMaker.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var word }] && word != "serve") result.AddError($"Unexpected argument '{word}': `cairn serve` takes one model URI (and 'serve' after it, as SageMaker runs a container).");
        });
        var access = new HostAccessOptions();
        var tls = new ServerTlsOptions();
        var command = new Command("serve", "Serve a model on the Open Inference Protocol v2, MLflow scoring, SageMaker, Vertex AI and Azure ML routes.")
            { uri, sageMaker, host, port, flavor, name, versionOption, watch, maxBatch, maxWait, maxQueue, log, sample, requireSignature, trustedKeys };
        access.AddTo(command);
        tls.AddTo(command);
        explain.AddTo(command);
        features.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var allowedHosts = access.AllowedHostsIn(parse);
            var corsOrigins = access.CorsOriginsIn(parse);
            var certificate = tls.In(parse);
            using var client = GlobalOptions.OpenClient(parse);
            var text = parse.GetValue(uri)!;
            var batching = new BatchingOptions(parse.GetValue(maxBatch), TimeSpan.FromMilliseconds(parse.GetValue(maxWait)), parse.GetValue(maxQueue));
            if (batching.MaxBatchRows < 1 || batching.MaxQueuedRequests < 1)
                throw CairnException.InvalidParameter("--max-batch and --max-queue must be at least 1.");
            var trusted = TrustedKeysFor(parse.GetValue(requireSignature), parse.GetValue(trustedKeys), text);
            var explaining = explain.Read(parse);
            var logFolder = parse.GetValue(log)!;
            if (explaining is { LogRate: > 0 } && logFolder == "none")
                throw CairnException.InvalidParameter("--explain-log-rate logs explanations in the inference log, and --inference-log is 'none'.");
            // An unknown feature service stops here, before a model is loaded or a port taken.
            var (enricher, onlineStore) = await features.OpenAsync(parse, client, ct);
            await using var onlineStoreOpened = onlineStore;
            async Task<ServedModel> Load()
            {
                if (Directory.Exists(text))
                {
                    // A package folder, as in a built image: no store to ask.
                    var predictor = ModelLoading.Load(ModelPackage.Open(text), parse.GetValue(flavor));
                    return await Served(parse.GetValue(name) ?? "model", parse.GetValue(versionOption) ?? "1", predictor, text);
                }
                var model = trusted is null
                    ? await client.LoadModelAsync(text, parse.GetValue(flavor), ct)
                    : await client.LoadSignedModelAsync(text, trusted, parse.GetValue(flavor), ct);
                var version = parse.GetValue(versionOption) ?? model.Version?.Version ?? (text.StartsWith(RunUri.Scheme, StringComparison.Ordinal) ? (await client.Tracking.ResolveRunUriAsync(text, ct)).RunId : "1");
                // The predictor itself is served, not its LoadedModel wrapper, so that the server sees
                // what it can do (columnar scoring of large requests). The explainer reads the version
                // loaded, not the alias, which may move between the two reads.
                return await Served(parse.GetValue(name) ?? model.Version?.Name ?? "model", version, model.Predictor,
                    model.Version is { } v ? $"models:/{v.Name}/{v.Version}" : text);
            }

            async Task<ServedModel> Served(string servedName, string version, IModelPredictor predictor, string reference)
            {
                IModelExplainer? explainer = null;
                if (explaining is not null)
                {
                    try
                    {
                        (explainer, var description) = await explaining.CreateAsync(client, reference, ct);
                        stdout.WriteLine(description);
                    }
                    catch
                    {
                        predictor.Dispose();
                        throw;
                    }
                }
                // Micro-batching pays off where one call scores many rows cheaply: ONNX Runtime.
                return new ServedModel(servedName, version, predictor, predictor.Flavor == ModelManifest.OnnxFlavor ? batching : null)
                    { Explainer = explainer, ExplainLogRate = explaining?.LogRate ?? 0, Features = enricher };
            }

            await using var modelHost = new ModelHost(await Load());
            var inferenceLog = logFolder == "none" ? null : new InferenceLog(logFolder, parse.GetValue(sample));
            var options = new ModelServerOptions(modelHost) { Address = parse.GetValue(host)!, Log = inferenceLog, AllowedHosts = allowedHosts, CorsOrigins = corsOrigins, Tls = certificate }
                .FromEnvironment(parse.GetValue(port));
            var app = ModelServer.Build(options);
            await Listening.StartAsync(app, options.Port, ct);
            var served = modelHost.Current;
            if (enricher is not null)
                stdout.WriteLine($"Enriching requests with feature service {enricher.Service}: {string.Join(", ", enricher.FeatureNames)}, looked up by {string.Join(", ", enricher.JoinKeys)}.");
            var scoring = served.Predictor is OnnxPredictor { TreeEnsembleCompiled: true } ? ", tree ensemble scored by Cairn" : "";
            stdout.WriteLine($"Serving {served.Name} version {served.Version} ({served.Predictor.Flavor}{scoring}) on {Address(app)}: /v2/models/{served.Name}/infer, /v1/models/{served.Name}:predict, /invocations, /score, {options.VertexPredictRoute}, /metrics{(served.Explainer is null ? "" : $", /v2/models/{served.Name}/explain, /v1/models/{served.Name}:explain")}. Press Ctrl+C to stop.");
            if (parse.GetValue(watch) is { } seconds && ModelUri.IsModelUri(text) && ModelUri.Parse(text).Alias is not null)
                _ = WatchAsync(client, modelHost, text, TimeSpan.FromSeconds(Math.Max(1, seconds)), Load, stdout, app.Lifetime.ApplicationStopping);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    /// <summary>The keys a signed-only server trusts (null when signatures are not required); checked before anything loads.</summary>
    private static Cairn.Models.Signing.TrustedKeys? TrustedKeysFor(bool required, string? path, string uri)
    {
        if (!required)
            return path is null ? null : throw CairnException.InvalidParameter("--trusted-keys is used with --require-signature: add it to serve only signed versions.");
        if (path is null) throw CairnException.InvalidParameter("--require-signature needs --trusted-keys: a public key file or a folder of them.");
        if (!ModelUri.IsModelUri(uri))
            throw CairnException.InvalidParameter($"--require-signature serves registered versions (models:/<name>/<version> or models:/<name>@<alias>); '{uri}' is not one, and signatures are stored with versions.");
        return Cairn.Models.Signing.TrustedKeys.Load(path);
    }

    /// <summary>Polls the alias; when it moves, loads the new version beside the old one and swaps it in.</summary>
    private static async Task WatchAsync(CairnClient client, ModelHost host, string uri, TimeSpan every, Func<Task<ServedModel>> load, TextWriter stdout, CancellationToken stop)
    {
        var alias = ModelUri.Parse(uri);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, stop);
                var target = await client.Registry.GetModelVersionByAliasAsync(alias.Name, alias.Alias!, stop);
                if (target.Version == host.Current.Version) continue;
                var next = await load();
                stdout.WriteLine($"models:/{alias.Name}@{alias.Alias} moved to version {next.Version}: swapped in.");
                await host.SwapAsync(next, TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e)
            {
                // Keep serving what works; say why the new version is not live.
                Console.Error.WriteLine($"cairn serve: could not check or load {uri}: {Secrets.Redact(e.GetBaseException().Message)}; still serving version {host.Current.Version}.");
            }
        }
    }

    internal static string Address(WebApplication app) =>
        app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer)) is Microsoft.AspNetCore.Hosting.Server.IServer server
        && server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } a
            ? a : "?";
}
