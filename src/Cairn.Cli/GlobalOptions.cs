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
        HelpName = "table|json",
        DefaultValueFactory = _ => OutputFormat.Table,
        // The parser's own message would name the enum type, which means nothing to a user.
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format) && !char.IsAsciiDigit(text.FirstOrDefault()))
                return format;
            result.AddError($"--output must be table or json, not '{text}'.");
            return OutputFormat.Table;
        },
    };

    public static CairnClient OpenClient(ParseResult parse) =>
        CairnClient.Open(parse.GetValue(TrackingUri) ?? Environment.GetEnvironmentVariable(Cairn.TrackingUri.EnvironmentVariable));
}
