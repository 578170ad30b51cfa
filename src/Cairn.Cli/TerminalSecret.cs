namespace Cairn.Cli;

/// <summary>Secrets (passwords, tokens) asked for on the terminal, never echoed.</summary>
internal static class TerminalSecret
{
    /// <summary>Asks <paramref name="question"/> on stderr and reads a line without echoing it.</summary>
    public static string Read(string question)
    {
        Console.Error.Write(question);
        var text = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; }
            else if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return text.ToString();
    }
}
