using System.CommandLine;

namespace Cairn.Cli;

public enum OutputFormat { Table, Json }

internal static class GlobalOptions
{
    public static readonly Option<string?> TrackingUri = new("--tracking-uri")
    {
        Description = "Where runs are stored: a folder, sqlite:///path/cairn.db or http://host:port. Defaults to $CAIRN_TRACKING_URI, then ./.cairn.",
        Recursive = true,
    };

    public static Option<OutputFormat> Output() => new("--output", "-o")
    {
        Description = "table for people, json for scripts.",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public static CairnClient OpenClient(ParseResult parse) =>
        CairnClient.Open(parse.GetValue(TrackingUri) ?? Environment.GetEnvironmentVariable(Cairn.TrackingUri.EnvironmentVariable));
}
