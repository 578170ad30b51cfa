using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>Tables for people, MLflow-shaped JSON for scripts.</summary>
internal static class Output
{
    public static IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = writer == System.Console.Out && !System.Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = writer == System.Console.Out && !System.Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (writer != System.Console.Out || System.Console.IsOutputRedirected) console.Profile.Width = 240;
        return console;
    }

    public static void Json<T>(TextWriter writer, T value)
    {
        writer.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions(CairnJson.Options) { WriteIndented = true }));
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
}
