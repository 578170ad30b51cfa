using System.Text.RegularExpressions;
using Cairn.Data;
using Cairn.Features;
using Cairn.Models;
using Cairn.Quality.Tables;
using Cairn.Registry;

namespace Cairn.Monitoring;

/// <summary>What a monitor compares the current window against: a table (a dataset version's files) or a past window of the inference log.</summary>
public abstract record ReferenceSource(string Description)
{
    public override string ToString() => Description;

    /// <summary>Deletes what resolving the reference wrote (a feature view's rows); nothing for the others.</summary>
    public virtual void Release() { }
}

/// <param name="Uri">The dataset version, <c>data:/name@N</c>, when the reference is one (a run logs it as its input).</param>
public sealed record DatasetReference(string Description, DataSource Source, string? Uri = null) : ReferenceSource(Description)
{
    /// <summary>A folder written for this reference alone (a feature view's rows as Parquet), deleted by <see cref="Release"/>.</summary>
    public string? TemporaryFolder { get; init; }

    /// <inheritdoc />
    public override void Release()
    {
        if (TemporaryFolder is { } folder && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}

public sealed record LogWindowReference(string Description, InferenceLogWindow Window) : ReferenceSource(Description);

/// <summary>
/// Resolves a monitor's <see cref="MonitorSpec.Reference"/>: null takes the dataset version the
/// model version was trained on, through lineage (the training run's <c>data:/</c> inputs, or its
/// pipeline's); <c>data:/name@N</c> a named version; <c>window:-7d</c> or <c>window:-7d..-6d</c> a
/// past window of the log relative to the current window's end; <c>features:/view[@N]</c>, optionally
/// with <c>?start=..&amp;end=..</c>, a feature view's offline rows (its join keys and features) in
/// that interval, written to a temporary Parquet file and read as a dataset.
/// </summary>
public static partial class MonitorReference
{
    [GeneratedRegex(@"^window:-([0-9dhms]+)(?:\.\.-([0-9dhms]+))?$")]
    private static partial Regex WindowPattern();

    /// <param name="featurePushLog">The folder of rows pushed to feature views, read with a <c>features:/</c> reference; null: the views' sources alone.</param>
    public static async Task<ReferenceSource> ResolveAsync(MonitorSpec spec, ModelVersion version, InferenceLogWindow current,
        CairnClient client, string workspace, string? featurePushLog, CancellationToken ct)
    {
        if (spec.Reference is { } features && FeatureUri.IsFeatureUri(features))
            return await FeatureViewAsync(features, client, workspace, featurePushLog, ct).ConfigureAwait(false);
        if (spec.Reference is { } reference && reference.StartsWith("window:", StringComparison.Ordinal))
        {
            var m = WindowPattern().Match(reference);
            if (!m.Success) throw CairnException.InvalidParameter($"Invalid reference '{reference}': write window:-7d (a window as long as the current one, 7 days earlier) or window:-7d..-6d.");
            var from = MonitorDuration.Parse(m.Groups[1].Value, "reference window start");
            var to = m.Groups[2].Success ? MonitorDuration.Parse(m.Groups[2].Value, "reference window end") : from - TimeSpan.FromMilliseconds(current.End - current.Start);
            if (to >= from) throw CairnException.InvalidParameter($"Invalid reference '{reference}': the window must end after it starts (window:-7d..-6d).");
            var window = current with { Start = current.End - (long)from.TotalMilliseconds, End = current.End - (long)Math.Max(0, to.TotalMilliseconds), Version = null };
            return new LogWindowReference($"{window} ({reference})", window);
        }
        var uri = spec.Reference ?? await TrainingDataAsync(version, client, ct).ConfigureAwait(false);
        if (!DataUri.IsDataUri(uri))
            throw CairnException.InvalidParameter($"Invalid reference '{uri}': use data:/<name>@<version>, features:/<view>@<version>, window:-7d, or leave it out to use the data the model was trained on.");
        var source = await DataSource.ResolveAsync(uri, client, workspace, ct).ConfigureAwait(false);
        return new DatasetReference(spec.Reference is null ? $"{uri} (the training data of models:/{version.Name}/{version.Version})" : uri, source, uri);
    }

    /// <summary>The rows of <c>features:/view[@N][?start=..&amp;end=..]</c>: the view at that version, its source read from the workspace.</summary>
    private static async Task<DatasetReference> FeatureViewAsync(string reference, CairnClient client, string workspace, string? pushLog, CancellationToken ct)
    {
        var range = FeatureViewRange.Parse(reference);
        var uri = range.View;
        var definition = await client.Features.GetViewAsync(uri, ct).ConfigureAwait(false);
        var registered = await client.Features.GetRepositoryAsync(ct).ConfigureAwait(false);
        // The view as that version defines it, over the entities and sources registered now.
        var repository = registered with { Views = [.. registered.Views.Where(v => v.Name != uri.Name), definition.View!] };
        var folder = Directory.CreateTempSubdirectory("cairn-feature-reference-").FullName;
        try
        {
            var file = Path.Combine(folder, uri.Name + ".parquet");
            await FeatureViewExport.WriteParquetAsync(repository, uri.Name, file, range.Start, range.End, workspace, pushLog, datasets: null, ct).ConfigureAwait(false);
            var description = (range with { View = new FeatureUri(uri.Name, definition.Version) }).ToString();
            return new DatasetReference(description, new DataSource(description, [new DataFile(file, description, file)])) { TemporaryFolder = folder };
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>The <c>data:/</c> version the version's run read, preferring one logged with a training context; else its pipeline's.</summary>
    private static async Task<string> TrainingDataAsync(ModelVersion version, CairnClient client, CancellationToken ct)
    {
        var lineage = await new ModelRegistry(client).LineageAsync($"models:/{version.Name}/{version.Version}", ct).ConfigureAwait(false);
        var runs = lineage.Run is null ? lineage.SiblingRuns : [lineage.Run, .. lineage.SiblingRuns];
        var inputs = runs.SelectMany(r => r.Inputs?.DatasetInputs ?? [])
            .Where(i => i.Dataset.SourceType == ActiveRun.DatasetSourceType && DataUri.IsDataUri(i.Dataset.Source)).ToList();
        var training = inputs.FirstOrDefault(i => i.Context is { } c && c.Contains("train", StringComparison.OrdinalIgnoreCase)) ?? inputs.FirstOrDefault();
        return training?.Dataset.Source ?? throw CairnException.InvalidParameter(
            $"models:/{version.Name}/{version.Version} has no recorded training data (its run logged no data:/ input): give the monitor a reference, such as --reference data:/<name>@<version> or --reference window:-7d.");
    }
}
