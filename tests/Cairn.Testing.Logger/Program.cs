// Usage: Cairn.Testing.Logger <exit|crash> <experiment> <metric count>
// Logs <count> metrics to CAIRN_TRACKING_URI without disposing the run, prints the run id, then
// returns normally (exit) or throws an unhandled exception (crash).
using Cairn;

var mode = args[0];
var experiment = args[1];
var count = int.Parse(args[2]);
var cairn = CairnClient.FromEnvironment();
var run = cairn.StartRun(experiment);
Console.WriteLine(run.RunId);
Console.Out.Flush();
run.LogParam("mode", mode);
for (var step = 0; step < count; step++) run.LogMetric("loss", 1.0 / (step + 1), step);
if (mode == "crash") throw new InvalidOperationException("training diverged");
return 0;
