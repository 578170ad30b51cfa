using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>Tables for people, MLflow-shaped JSON for scripts.</summary>
internal static class Output
{
    /// <summary>Wide enough that piped tables are never cut: a file or a program gets every cell in full.</summary>
    public const int PipedWidth = 4096;

    /// <summary>A console writing to <paramref name="writer"/>: a terminal's width and colours, or plain and wide when piped.</summary>
    public static IAnsiConsole Console(TextWriter writer)
    {
        var terminal = writer as TerminalWriter;
        var colours = terminal is { IsConsole: true };
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = colours ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colours ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        console.Profile.Width = terminal?.Width ?? PipedWidth;
        return console;
    }

    /// <summary>The width tables must keep to: the terminal's, or null when piped.</summary>
    public static int? TerminalWidth(TextWriter writer) => (writer as TerminalWriter)?.Width;

    public static void Json<T>(TextWriter writer, T value)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(CairnJson.Readable) { WriteIndented = true }));
    }

    public static string Time(long? millis) => millis is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
        : "";

    public static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };

    public static string Escape(string? text) => Markup.Escape(text ?? "");

    /// <summary>A digest short enough for a table: the hex after any <c>algorithm:</c> prefix, 12 digits.</summary>
    public static string ShortDigest(string digest)
    {
        var hex = digest[(digest.IndexOf(':') + 1)..];
        return hex.Length <= 12 ? hex : hex[..12];
    }

    /// <summary>Free text for one table cell: its first line, control characters dropped, cut at <paramref name="max"/> with an ellipsis.</summary>
    public static string OneLine(string? text, int max = 60)
    {
        var line = (text ?? "").Trim().Split('\n')[0].TrimEnd('\r');
        var clean = new string(line.Where(c => !char.IsControl(c)).ToArray()).Trim();
        var cut = clean.Length > max || line.Length < (text ?? "").Trim().Length;
        if (clean.Length > max) clean = clean[..(max - 1)].TrimEnd();
        return cut ? clean + "…" : clean;
    }
}
