using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Cairn.Hosting;

/// <summary>
/// One line per log entry (<c>level: category[event] message exception</c>), with secrets
/// masked by <see cref="Secrets.Redact"/>: a connection string or token in a message or an exception
/// must not reach the operator's log, which is read and shipped more widely than the secrets.
/// </summary>
public sealed class RedactingConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>The name the console logger selects this formatter by.</summary>
    public const string FormatterName = "cairn-redacting";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        textWriter.Write($"{Level(logEntry.LogLevel)}: {logEntry.Category}[{logEntry.EventId.Id}] {Secrets.Redact(message)}");
        // The exception on the same line, so one grep for an error id finds its detail.
        if (logEntry.Exception is not null) textWriter.Write($" {Secrets.Redact(logEntry.Exception.ToString().ReplaceLineEndings(" "))}");
        textWriter.Write(Environment.NewLine);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce", LogLevel.Debug => "dbug", LogLevel.Information => "info",
        LogLevel.Warning => "warn", LogLevel.Error => "fail", LogLevel.Critical => "crit", _ => "none",
    };
}

/// <summary>Console logging through <see cref="RedactingConsoleFormatter"/>.</summary>
public static class RedactingConsoleLogging
{
    /// <summary>Logs to stderr (stdout carries only what a command prints), one line per entry, secrets masked.</summary>
    public static ILoggingBuilder AddRedactingConsole(this ILoggingBuilder logging) =>
        logging.AddConsole(o =>
        {
            o.FormatterName = RedactingConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        }).AddConsoleFormatter<RedactingConsoleFormatter, ConsoleFormatterOptions>();
}
