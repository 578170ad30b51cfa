using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Cairn.Features;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn features materialize|get-online|push|stats</c>: the online store and the statistics of views.</summary>
internal static partial class FeaturesCommands
{
    private static Option<string?> OnlineStoreOption() => new("--online-store")
    {
        Description = $"redis://host:port[/db] or a SQLite file (default: ${OnlineFeatureWiring.EnvironmentVariable}, else features/online.db beside the store).",
    };

    /// <summary>The features folder of an embedded store (online.db, push/); for a server's client, ./.cairn/features of the project.</summary>
    private static string FeaturesFolderOf(CairnClient client) =>
        OnlineFeatureWiring.FeaturesFolder(client.Location is EmbeddedLocation embedded ? Path.GetDirectoryName(embedded.DatabasePath) : null);

    private static string PushLogRoot(CairnClient client) => Path.Combine(FeaturesFolderOf(client), "push");

    private static async Task<FeatureRepository> RegisteredAsync(CairnClient client, CancellationToken ct)
    {
        var repository = await client.Features.GetRepositoryAsync(ct);
        return repository.Views.Count > 0 ? repository
            : throw CairnException.InvalidParameter("No feature views are registered: write features/*.yaml and run `cairn features apply` first.");
    }

    private static DateTimeOffset Instant(string? text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : throw CairnException.InvalidParameter($"{option} '{text}' is not a date or time: write it as 2024-03-01 or 2024-03-01T12:00:00Z.");

    private static Command Materialize(TextWriter stdout)
    {
        var start = new Option<string>("--start") { Description = "Events from this instant (ISO 8601; UTC when no offset is given).", Required = true };
        var end = new Option<string?>("--end") { Description = "Events before this instant (default: now)." };
        var views = new Option<string[]>("--view") { Description = "A view to materialize (repeatable; default: every view with online: true).", AllowMultipleArgumentsPerToken = true };
        var store = OnlineStoreOption();
        var command = new Command("materialize", "Load each entity's latest feature values in an interval into the online store.") { start, end, views, store };
        command.SetAction(async (parse, ct) =>
        {
            var from = Instant(parse.GetValue(start), "--start");
            var to = parse.GetValue(end) is { } e ? Instant(e, "--end") : DateTimeOffset.UtcNow;
            using var client = OpenClient(parse);
            var repository = await RegisteredAsync(client, ct);
            await using var online = await OnlineFeatureWiring.OpenStoreAsync(parse.GetValue(store), FeaturesFolderOf(client), ct);
            var chosen = parse.GetValue(views) is { Length: > 0 } named ? named : null;
            var results = await FeatureMaterializer.MaterializeAsync(repository, online, chosen, from, to,
                new MaterializeOptions { SourceRoot = Folder(parse), PushLogRoot = PushLogRoot(client), DatasetResolver = Datasets(parse, client) }, ct);
            stdout.WriteLine($"Materialized events from {from:O} to {to:O}:");
            foreach (var r in results) stdout.WriteLine($"  {r.View}: {Summary(r)}");
            return 0;
        });
        return command;
    }

    private static string Summary(MaterializedView r) =>
        $"{r.Keys} key(s) read, {r.Written} written, newest event {(r.NewestEventTime is { } t ? t.ToString("O", CultureInfo.InvariantCulture) : "none")}";

    private static Command MaterializeIncremental(TextWriter stdout)
    {
        var end = new Option<string?>("--end") { Description = "Events before this instant (default: now)." };
        var views = new Option<string[]>("--view") { Description = "A view to materialize (repeatable; default: every view with online: true).", AllowMultipleArgumentsPerToken = true };
        var store = OnlineStoreOption();
        var command = new Command("materialize-incremental",
            "Load the online store from where each view's last materialization ended (the first time: end minus the view's ttl) up to the end.") { end, views, store };
        command.SetAction(async (parse, ct) =>
        {
            var to = parse.GetValue(end) is { } e ? Instant(e, "--end") : DateTimeOffset.UtcNow;
            using var client = OpenClient(parse);
            var repository = await RegisteredAsync(client, ct);
            await using var online = await OnlineFeatureWiring.OpenStoreAsync(parse.GetValue(store), FeaturesFolderOf(client), ct);
            var chosen = parse.GetValue(views) is { Length: > 0 } named ? named : null;
            var results = await FeatureMaterializer.MaterializeIncrementalAsync(repository, online, chosen, to,
                new MaterializeOptions { SourceRoot = Folder(parse), PushLogRoot = PushLogRoot(client), DatasetResolver = Datasets(parse, client) }, ct);
            stdout.WriteLine($"Materialized incrementally up to {to:O}:");
            foreach (var r in results)
                stdout.WriteLine(r.Start >= r.End
                    ? $"  {r.View}: up to date (materialized until {r.Start:O})"
                    : $"  {r.View}: events from {r.Start:O}, {Summary(r)}");
            return 0;
        });
        return command;
    }

    private static Command GetOnline(TextWriter stdout)
    {
        var service = new Option<string?>("--service") { Description = "The feature service whose features to read." };
        var features = new Option<string[]>("--features") { Description = "Features as VIEW:FEATURE, comma-separated or repeated (instead of --service).", AllowMultipleArgumentsPerToken = true };
        var entities = new Option<string[]>("--entity") { Description = "A join key and its values, KEY=V1,V2 (repeatable, one per key).", Required = true };
        var fullNames = new Option<bool>("--full-feature-names") { Description = "Name feature columns VIEW__FEATURE." };
        var store = OnlineStoreOption();
        var output = GlobalOptions.Output();
        var functions = FeatureFunctionsOption.Create();
        var command = new Command("get-online", "Read features of entities from the online store (embedded), or from the server the tracking URI names. " +
            "Request values of on-demand features are given with --entity like join keys.")
            { service, features, entities, fullNames, store, output, functions };
        command.SetAction(async (parse, ct) =>
        {
            var references = (parse.GetValue(features) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(FeatureReference.Parse).ToList();
            if ((parse.GetValue(service) is null) == (references.Count == 0))
                throw CairnException.InvalidParameter("Give either --service NAME or --features VIEW:FEATURE,... (one of the two).");
            using var client = OpenClient(parse);
            var repository = await RegisteredAsync(client, ct);
            var keyTypes = repository.Entities.SelectMany(e => e.JoinKeys).Concat(repository.OnDemandViews.SelectMany(v => v.RequestFields))
                .GroupBy(k => k.Name).ToDictionary(g => g.Key, g => g.First().Type);
            var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
            foreach (var text in parse.GetValue(entities) ?? [])
            {
                var equals = text.IndexOf('=');
                if (equals <= 0) throw CairnException.InvalidParameter($"--entity '{text}' is not KEY=V1,V2: name the join key, then its values.");
                var key = text[..equals];
                var type = keyTypes.TryGetValue(key, out var t) ? t : FeatureType.String;
                columns[key] = [.. text[(equals + 1)..].Split(',').Select(v => EntityValue(key, v, type))];
            }
            var request = new OnlineFeatureRequest(references.Count > 0 ? references : null, parse.GetValue(service), columns, parse.GetValue(fullNames));
            OnlineFeatureResponse response;
            if (client.Location is ServerLocation)
            {
                if (parse.GetValue(functions) is not null)
                    throw CairnException.InvalidParameter("--feature-functions is read only with an embedded store: a server computes on-demand features with the functions it was started with.");
                response = await client.OnlineFeatures.GetOnlineFeaturesAsync(request, ct);
            }
            else
            {
                var loaded = FeatureFunctionsOption.Load(parse, functions, Folder(parse));
                var local = await OnlineFeatureWiring.OpenServiceAsync(client.Features, parse.GetValue(store), FeaturesFolderOf(client), ct, loaded);
                await using var opened = local.Store;
                response = await local.GetOnlineFeaturesAsync(request, ct);
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, Cairn.Protocol.GetOnlineFeaturesResponse.From(response));
                return 0;
            }
            var rows = response.Results[0].Values.Count;
            stdout.WriteLine(string.Join("\t", response.FeatureNames));
            for (var r = 0; r < rows; r++)
                stdout.WriteLine(string.Join("\t", response.Results.Select((c, i) =>
                    i < columns.Count ? Cell(c.Values[r]) : c.Statuses[r] == OnlineFeatureStatuses.Present ? Cell(c.Values[r]) : $"({c.Statuses[r]})")));
            return 0;
        });
        return command;
    }

    /// <summary>A value of --entity as its join key or request field is typed (text when neither declares it).</summary>
    private static object? EntityValue(string key, string text, FeatureType type) => type switch
    {
        FeatureType.Int64 => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
            : throw CairnException.InvalidParameter($"--entity {key}: '{text}' is not an integer, as {key} is declared."),
        FeatureType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
            : throw CairnException.InvalidParameter($"--entity {key}: '{text}' is not a number, as {key} is declared."),
        FeatureType.Bool => bool.TryParse(text, out var b) ? b
            : throw CairnException.InvalidParameter($"--entity {key}: '{text}' is not true or false, as {key} is declared."),
        FeatureType.Timestamp => Instant(text, $"--entity {key}"),
        _ => text,
    };

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static Command Push(TextWriter stdout)
    {
        var view = new Argument<string>("view") { Description = "The feature view the rows belong to." };
        var rows = new Option<string>("--rows") { Description = "A JSON file: an array of objects, each with the view's join keys, its event timestamp and features.", Required = true };
        var store = OnlineStoreOption();
        var command = new Command("push", "Push fresh rows of a view to the offline push log and the online store (embedded), or to the server the tracking URI names.") { view, rows, store };
        command.SetAction(async (parse, ct) =>
        {
            var path = InFolder(parse, parse.GetValue(rows)!);
            if (!File.Exists(path)) throw CairnException.InvalidParameter($"--rows: file '{parse.GetValue(rows)}' does not exist.");
            if (new FileInfo(path).Length > 64L << 20) throw CairnException.InvalidParameter("--rows: the file is larger than 64 MiB; push it in parts.");
            List<IReadOnlyDictionary<string, object?>> parsed;
            try
            {
                using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(path, ct));
                if (json.RootElement.ValueKind != JsonValueKind.Array) throw CairnException.InvalidParameter("--rows: the file must hold a JSON array of objects.");
                parsed = [.. json.RootElement.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.Object
                    ? (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                    : throw CairnException.InvalidParameter("--rows: every element of the array must be an object."))];
            }
            catch (JsonException e)
            {
                throw CairnException.InvalidParameter($"--rows: the file is not valid JSON ({e.Message.Split('.')[0]}).");
            }
            using var client = OpenClient(parse);
            PushResult result;
            if (client.Location is ServerLocation) result = await client.OnlineFeatures.PushAsync(parse.GetValue(view)!, parsed, ct);
            else
            {
                var local = await OnlineFeatureWiring.OpenServiceAsync(client.Features, parse.GetValue(store), FeaturesFolderOf(client), ct);
                await using var opened = local.Store;
                result = await local.PushAsync(parse.GetValue(view)!, parsed, ct);
            }
            stdout.WriteLine($"Pushed {result.Rows} row(s) to {result.View}: kept in the offline log, {result.OnlineWritten} written online.");
            return 0;
        });
        return command;
    }

    private static Command Stats(TextWriter stdout)
    {
        var view = new Argument<string>("view") { Description = "The feature view." };
        var start = new Option<string?>("--start") { Description = "Only events from this instant." };
        var end = new Option<string?>("--end") { Description = "Only events before this instant." };
        var record = new Option<bool>("--record") { Description = "Store the statistics in the definitions store, tied to the view's current version (shown by the web UI)." };
        var output = GlobalOptions.Output();
        var command = new Command("stats", "Statistics of a view's features over its source and pushed rows, and how fresh its newest value is.") { view, start, end, record, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = OpenClient(parse);
            var name = parse.GetValue(view)!;
            var from = parse.GetValue(start) is { } s ? Instant(s, "--start") : (DateTimeOffset?)null;
            var until = parse.GetValue(end) is { } e ? Instant(e, "--end") : (DateTimeOffset?)null;
            // Recorded statistics belong to one version: compute with exactly that definition, even if another apply lands meanwhile.
            var version = parse.GetValue(record) ? await client.Features.GetViewAsync(new FeatureUri(name, null), ct) : null;
            var repository = await RegisteredAsync(client, ct);
            if (version is not null) repository = repository with { Views = [.. repository.Views.Where(v => v.Name != name), version.View!] };
            var stats = await FeatureStatistics.ComputeAsync(repository, name, from, until, Folder(parse), PushLogRoot(client), Datasets(parse, client), ct);
            var snapshot = version is null ? null : await client.Features.RecordStatisticsAsync(name, version.Version, stats, from, until, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new
                {
                    view = stats.View, view_version = snapshot?.ViewVersion, recorded_number = snapshot?.Number, rows = stats.Rows, oldest_event_time = stats.OldestEventTime, newest_event_time = stats.NewestEventTime,
                    features = stats.Features.Select(f => new
                    {
                        feature = f.Feature, type = f.Type.Name(), count = f.Count, nulls = f.Nulls, distinct = f.Distinct, min = f.Min, max = f.Max,
                        mean = f.Mean, stddev = f.StdDev, quantiles = f.Quantiles,
                        top_values = f.TopValues?.Select(v => new { value = v.Value, count = v.Count }),
                    }),
                });
                return 0;
            }
            var age = stats.NewestEventTime is { } newest ? $", newest event {newest:O} ({(DateTimeOffset.UtcNow - newest).TotalHours:F1} h ago)" : "";
            stdout.WriteLine($"{stats.View}: {stats.Rows} row(s){age}");
            stdout.WriteLine("feature\ttype\tnulls\tdistinct\tmin\tmax\tmean\tstddev");
            foreach (var f in stats.Features)
                stdout.WriteLine($"{f.Feature}\t{f.Type.Name()}\t{f.Nulls}\t{f.Distinct}\t{f.Min}\t{f.Max}\t{Cell(f.Mean)}\t{Cell(f.StdDev)}");
            if (snapshot is not null) stdout.WriteLine($"Recorded as statistics #{snapshot.Number} of {snapshot.ViewAddress}.");
            return 0;
        });
        return command;
    }
}
