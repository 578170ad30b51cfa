using Cairn.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Tests;

/// <summary>The server's console log masks connection strings and tokens in messages and exceptions.</summary>
public class RedactingConsoleFormatterTests
{
    [Fact]
    public void Write_MasksTheSecretInTheMessageAndTheException_OnOneLine()
    {
        var formatter = new RedactingConsoleFormatter();
        var error = new InvalidOperationException("cannot reach Host=db;Password=hunter2pw");
        var entry = new LogEntry<string>(LogLevel.Error, "Cairn.Test", new EventId(7), "opening postgresql://u:hunter2pw@db/cairn", error, (s, _) => s);
        using var output = new StringWriter();

        formatter.Write(entry, null, output);

        var line = output.ToString();
        Assert.StartsWith("fail: Cairn.Test[7] opening postgresql://u:***@db/cairn System.InvalidOperationException: cannot reach Host=db;Password=***", line);
        Assert.DoesNotContain("hunter2pw", line);
        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
