// Usage: dotnet run -c Release --project bench/Cairn.Bench -- [ingest|search|sdk|autolog|registry|scale-out|serving|explain-serving|data|ui|pipelines|monitoring|monitoring-memory|monitoring-serving|deployments|deployments-replicas|deployments-shadow|explain|features-pit|features-online|features-http|auth-ingest|model-signature|all]
// Prints a markdown table of each figure beside its baseline, measured in the same run.
using Cairn.Bench;

var which = args.Length > 0 ? args[0] : "all";
if (which == MonitoringMemoryBenchmark.ChildCommand) return await MonitoringMemoryBenchmark.ChildAsync(args);
var report = new Report();
report.Header();
if (which is "all" or "ingest") await IngestBenchmark.RunAsync(report);
if (which is "all" or "search") await SearchBenchmark.RunAsync(report);
if (which is "all" or "sdk") SdkBenchmark.Run(report);
if (which is "all" or "sdk" or "autolog") AutologBenchmark.Run(report);
if (which is "all" or "registry") await RegistryBenchmark.RunAsync(report);
if (which is "all" or "scale-out") await ScaleOutBenchmark.RunAsync(report);
if (which is "all" or "serving") await ServingBenchmark.RunAsync(report);
if (which is "all" or "explain-serving") await ExplainServingBenchmark.RunAsync(report);
if (which is "all" or "data") DataBenchmark.Run(report);
if (which is "all" or "ui") await UiBenchmark.RunAsync(report);
if (which is "all" or "pipelines") await PipelineBenchmark.RunAsync(report);
if (which is "all" or "monitoring") MonitoringBenchmark.Run(report);
if (which is "all" or "monitoring" or "monitoring-memory") await MonitoringMemoryBenchmark.RunAsync(report);
if (which is "all" or "monitoring" or "monitoring-serving") await MonitoringServingBenchmark.RunAsync(report);
if (which is "all" or "deployments" or "deployments-replicas" or "deployments-shadow") await DeploymentBenchmark.RunAsync(report, replicasOnly: which == "deployments-replicas", shadowOnly: which == "deployments-shadow");
if (which is "all" or "explain") ExplainBenchmark.Run(report);
if (which is "all" or "features-pit") await FeaturesBenchmark.RunAsync(report);
if (which is "all" or "features-online") await FeatureOnlineBenchmark.RunAsync(report);
if (which is "all" or "features-http") await FeatureHttpBenchmark.RunAsync(report);
if (which is "all" or "auth-ingest") await AuthIngestBenchmark.RunAsync(report);
if (which is "all" or "model-signature") await ModelSignatureBenchmark.RunAsync(report);
report.Print();
return 0;
