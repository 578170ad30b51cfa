using System.Text;

namespace Cairn.Cli;

/// <summary>
/// Standard output shown in a terminal of a known width, so that tables can fit it. Output that is
/// not wrapped in one is piped (to a file or a program) and gets tables in full.
/// </summary>
internal sealed class TerminalWriter(TextWriter inner, int width) : TextWriter
{
    public int Width { get; } = width;

    /// <summary>Whether this is the process's own console (colours may be used).</summary>
    public bool IsConsole => inner == System.Console.Out;

    public override Encoding Encoding => inner.Encoding;
    public override void Write(char value) => inner.Write(value);
    public override void Write(string? value) => inner.Write(value);
    public override void WriteLine(string? value) => inner.WriteLine(value);
    public override void Flush() => inner.Flush();

    /// <summary>The width of the terminal the process's standard output is shown in, or null when it is redirected.</summary>
    public static int? ConsoleWidth()
    {
        if (System.Console.IsOutputRedirected) return null;
        try
        {
            return System.Console.WindowWidth is > 0 and var width ? width : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
