using System.Globalization;
using Cairn.Registry;
using Cairn.Storage.Sql;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server holding a model whose description, source, run params and tags were written by
/// an attacker: script links in every form markdown has, raw HTML, and values that try to close
/// the element they are shown in. Every script here would call alert(); none may ever run.
/// </summary>
public sealed class HostileContentServer : IAsyncLifetime
{
    public const string Model = "hostile";
    /// <summary>Version 1: a source that tries to close its attribute and open a script element.</summary>
    public const string ElementBreakingSource = "\"><script>alert('source')</script><a href=\"javascript:alert('source')\">";
    /// <summary>Version 2: a source that closes its code span and adds a markdown link.</summary>
    public const string CodeSpanBreakingSource = "runs:/x` [source link](javascript:alert('backtick')) `y";

    public const string Description = """
        Read [the docs](https://example.com/docs), [the models](/models) or [mail us](mailto:team@example.com).
        Then [click me](javascript:alert('description')) or [shout](JavaScript:alert('case')).
        Also [entity link](javascript&#58;alert('entity')), [spaced link](<java script:alert('space')>) and [vb link](vbscript:alert('vb')).
        A [data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YScpPC9zY3JpcHQ+), an autolink <javascript:alert('autolink')> and a [reference link][evil].
        ![evil image](javascript:alert('image')) ![good image](https://127.0.0.1:9/plot.png)
        <script>alert('raw html')</script>
        <img src=x onerror="alert('raw img')">

        [evil]: javascript:alert('reference')
        """;

    public const string HostileParam = "[param link](javascript:alert('param')) | <b>bold</b>";
    public const string HostileCommit = "[commit link](javascript:alert('tag'))\n# heading from a tag";

    public RunningServer Server { get; private set; } = null!;
    public string RunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        var experiment = await Server.Store.CreateExperimentAsync("hostile-experiment");
        var run = await Server.Store.CreateRunAsync(new NewRun(experiment, "mallory", 1_760_000_000_000L, "hostile-run"));
        await Server.Store.LogBatchAsync(run.Info.RunId, new LogBatch([], [new Param("p", HostileParam)], [new RunTag(RunContext.GitCommit, HostileCommit)]));
        RunId = run.Info.RunId;
        await Server.Registry.CreateRegisteredModelAsync(Model, Description);
        // The server refuses such sources now (ClientLocations); a store written before that check
        // can still hold them, so they are put in the database directly, as old data would be.
        foreach (var (version, source) in new[] { ("1", ElementBreakingSource), ("2", CodeSpanBreakingSource) })
        {
            await Server.Registry.CreateModelVersionAsync(new NewModelVersion(Model, $"runs:/{run.Info.RunId}/model", run.Info.RunId, Description, "mallory"));
            using var connection = Server.Stores.Database.Open();
            SqlCommands.Exec(connection, null, "UPDATE model_versions SET source = @source WHERE name = @name AND version = @version",
                ("@source", source), ("@name", Model), ("@version", int.Parse(version, CultureInfo.InvariantCulture)));
        }
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
