using System.Diagnostics;
using Cairn.Pipelines;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Cairn.Cli;

/// <summary>
/// What <c>pipeline run</c> shows while it runs: in a terminal, a table with a row per step (state,
/// duration, cached or not, attempt, message) redrawn in place; piped, a line per change of state.
/// </summary>
internal sealed class PipelineProgress(IReadOnlyList<string> steps)
{
    private readonly Dictionary<string, StepEvent> _latest = steps.ToDictionary(s => s, s => new StepEvent(s, StepState.Pending), StringComparer.Ordinal);
    private readonly Dictionary<string, Stopwatch> _started = new(StringComparer.Ordinal);
    private readonly int _width = steps.Max(s => s.Length);

    public void Record(StepEvent e)
    {
        lock (_latest)
        {
            _latest[e.Step] = e;
            if (e.State == StepState.Running && !_started.ContainsKey(e.Step)) _started[e.Step] = Stopwatch.StartNew();
        }
    }

    /// <summary>Runs <paramref name="run"/>, giving it where to report each step's changes, and shows them.</summary>
    public async Task<T> ShowAsync<T>(TextWriter stdout, Func<Action<StepEvent>, Task<T>> run)
    {
        if (stdout is not TerminalWriter { IsConsole: true })
        {
            var gate = new object();
            return await run(e =>
            {
                Record(e);
                lock (gate) stdout.WriteLine(Line(e));
            });
        }
        var console = Output.Console(stdout);
        T result = default!;
        await console.Live(Table()).AutoClear(false).StartAsync(async live =>
        {
            var running = run(Record);
            while (!running.IsCompleted)
            {
                live.UpdateTarget(Table());
                await Task.WhenAny(running, Task.Delay(150));
            }
            live.UpdateTarget(Table());
            result = await running;
        });
        return result;
    }

    /// <summary>The table of every step's latest state.</summary>
    public IRenderable Table()
    {
        var table = new Table().AddColumns("Step", "State", "Duration", "Cached", "Attempt", "Message");
        lock (_latest)
            foreach (var e in _latest.Values)
            {
                var duration = e.Duration ?? (e.State == StepState.Running && _started.TryGetValue(e.Step, out var clock) ? clock.Elapsed : null);
                table.AddRow(Output.Escape(e.Step), StateMarkup(e.State), duration is { } d ? $"{d.TotalSeconds:0.0}s" : "",
                    e.State is StepState.Cached or StepState.Reused ? "yes" : e.State is StepState.Succeeded or StepState.Failed ? "no" : "",
                    e.Attempt > 1 ? e.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture) : "",
                    Output.Escape(e.State == StepState.Skipped ? "" : e.Message ?? ""));
            }
        return table;
    }

    private static string StateMarkup(StepState state) => state switch
    {
        StepState.Succeeded => "[green]succeeded[/]",
        StepState.Cached or StepState.Reused => $"[blue]{state.ToString().ToLowerInvariant()}[/]",
        StepState.Failed or StepState.Killed => $"[red]{state.ToString().ToLowerInvariant()}[/]",
        StepState.Running => "[yellow]running[/]",
        _ => state.ToString().ToLowerInvariant(),
    };

    private string Line(StepEvent e)
    {
        var state = e.State.ToString().ToLowerInvariant();
        var duration = e.Duration is { } d ? $"{d.TotalSeconds,7:0.00}s" : "";
        var attempt = e.Attempt > 1 ? $" (attempt {e.Attempt})" : "";
        var message = e.Message is null || e.State == StepState.Skipped ? "" : "  " + e.Message;
        return $"  {e.Step.PadRight(_width)}  {state,-9}{duration}{attempt}{message}";
    }
}
