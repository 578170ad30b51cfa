using System.CommandLine;
using Cairn.Security;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>
/// cairn audit list|verify: the audit log in a server's metadata database, opened directly as
/// <c>cairn users</c> does (the server's --backend-store-uri, or the tracking URI's embedded store).
/// </summary>
internal static class AuditCommands
{
    /// <summary>The exit code of a verify that found the chain broken (usage and store errors exit 2).</summary>
    public const int Broken = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var store = new Option<string?>("--backend-store-uri")
        {
            Description = "The server's metadata database: postgresql://..., sqlite:///path/cairn.db or a folder (default: the tracking URI's embedded store).",
        };
        return new Command("audit", "The tamper-evident log of every request that changed something on a server.") { List(stdout, store), Verify(stdout, stderr, store) };
    }

    private static Command List(TextWriter stdout, Option<string?> store)
    {
        var since = new Option<string?>("--since") { Description = "From this time on: a date (2026-12-01, UTC), an ISO time, or an age (30m, 12h, 7d)." };
        var until = new Option<string?>("--until") { Description = "Before this time, written as for --since." };
        var user = new Option<string?>("--user") { Description = "Only this user's requests." };
        var max = new Option<int>("--max") { Description = "At most this many entries, the newest (1 to 10000).", DefaultValueFactory = _ => 100 };
        var output = GlobalOptions.Output();
        var list = new Command("list", "List the audit log, newest first.") { since, until, user, max, output, store };
        list.SetAction(async (parse, ct) =>
        {
            var now = DateTimeOffset.UtcNow;
            var query = new AuditQuery(
                parse.GetValue(since) is { } from ? AuditTime.Parse(from, now) : null,
                parse.GetValue(until) is { } to ? AuditTime.Parse(to, now, "--until") : null,
                parse.GetValue(user),
                parse.GetValue(max));
            using var metadata = await OpenAsync(parse, store, ct);
            var entries = await metadata.Audit.ListAsync(query, ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { entries });
                return 0;
            }
            var table = new Table().AddColumns("seq", "time", "user", "address", "request", "status", "resources");
            foreach (var e in entries)
                table.AddRow(e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Output.Time(e.Time), Output.Escape(e.Username ?? "(anonymous)"),
                    Output.Escape(e.RemoteAddress), Output.Escape($"{e.Method} {e.Path}"), e.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), Output.Escape(e.Resources));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return list;
    }

    private static Command Verify(TextWriter stdout, TextWriter stderr, Option<string?> store)
    {
        var head = new Option<string?>("--expect-head")
        {
            Description = "A head hash printed by an earlier verify: it must still be in the chain, which finds newest entries cut off.",
        };
        var verify = new Command("verify", "Check the audit log's hash chain: an edited, removed or reordered entry is named by its sequence number.") { head, store };
        verify.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(head) is { } expected && (expected.Length != 64 || !expected.All(char.IsAsciiHexDigit)))
                throw CairnException.InvalidParameter($"--expect-head '{expected}' is not a head hash: give the 64 hex digits an earlier `cairn audit verify` printed.");
            using var metadata = await OpenAsync(parse, store, ct);
            var result = await AuditChain.VerifyAsync(metadata.Audit.ReadChainAsync(ct), parse.GetValue(head), ct);
            if (result.Break is { } broken)
            {
                stderr.WriteLine($"error: the audit chain is broken at entry {broken.Sequence} ({broken.Kind.ToString().ToLowerInvariant()}): {broken.Message}. {result.Count} entries before it are intact.");
                return Broken;
            }
            stdout.WriteLine($"{result.Count} entries, chain intact, head {result.Head}");
            return 0;
        });
        return verify;
    }

    private static Task<MetadataStores> OpenAsync(ParseResult parse, Option<string?> store, CancellationToken ct)
    {
        var uri = parse.GetValue(store) ?? parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable);
        if (uri is not null && TrackingUri.Parse(uri) is ServerLocation)
            throw CairnException.InvalidParameter($"The audit log is read from the server's database: give --backend-store-uri (the server's own), not the server's address {uri}.");
        return StoreWiring.OpenMetadataAsync(uri, ct);
    }
}
