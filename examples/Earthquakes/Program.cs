// Earthquake magnitudes from a catalogue with missing depths and station counts: tracked,
// registered, promoted and scored with a missing value. Runs go to ./.cairn unless
// CAIRN_TRACKING_URI says otherwise.
using Cairn;
using Cairn.Examples.Earthquakes;

using var cairn = CairnClient.FromEnvironment();
Console.WriteLine($"Tracking to {cairn.Describe()}");
await EarthquakesExample.RunAsync(cairn, Console.Out);
