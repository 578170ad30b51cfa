using System.CommandLine;
using Cairn.Artifacts;
using Cairn.Storage.Sql;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary>cairn db upgrade and cairn migrate: schema migrations and moving a store to other infrastructure.</summary>
internal static class AdminCommands
{
    public static Command Db(TextWriter stdout)
    {
        var uri = new Option<string?>("--backend-store-uri") { Description = "postgresql://..., sqlite:///path/cairn.db or a folder (default ./.cairn)." };
        var upgrade = new Command("upgrade", "Apply the schema migrations the database lacks.") { uri };
        upgrade.SetAction(async (parse, ct) =>
        {
            using var metadata = await StoreWiring.OpenMetadataAsync(parse.GetValue(uri), ct); // opening migrates
            using var connection = metadata.Database.Open();
            var version = SqlCommands.ScalarLong(connection, null, "SELECT MAX(version) FROM schema_migrations");
            stdout.WriteLine($"{metadata.Database.Description} is at schema version {version}.");
            return 0;
        });
        return new Command("db", "Manage the metadata database.") { upgrade };
    }

    public static Command Migrate(TextWriter stdout)
    {
        var from = new Option<string>("--from") { Description = "Source metadata store (sqlite:///path/cairn.db, a folder, or postgresql://...).", Required = true };
        var to = new Option<string>("--to") { Description = "Target metadata store, which must be empty.", Required = true };
        var fromArtifacts = new Option<string?>("--from-artifacts") { Description = "Source artifacts (default: beside a SQLite source)." };
        var toArtifacts = new Option<string?>("--to-artifacts") { Description = "Target artifacts: s3://bucket/prefix or a folder (default: beside a SQLite target)." };
        var command = new Command("migrate", "Copy a store (metadata and artifacts) into another, e.g. embedded SQLite into PostgreSQL and S3.") { from, to, fromArtifacts, toArtifacts };
        command.SetAction(async (parse, ct) =>
        {
            using var source = await StoreWiring.OpenMetadataAsync(parse.GetValue(from), ct);
            using var target = await StoreWiring.OpenMetadataAsync(parse.GetValue(to), ct);
            var sourceArtifacts = StoreWiring.OpenArtifacts(parse.GetValue(fromArtifacts), source);
            var targetArtifacts = StoreWiring.OpenArtifacts(parse.GetValue(toArtifacts), target);
            // Artifacts first: if the metadata copy then fails, nothing points at missing files.
            var files = await ArtifactTree.CopyAsync(sourceArtifacts, targetArtifacts, ct);
            var rows = await MetadataCopier.CopyAsync(source.Database, target.Database, ct);
            var table = new Table().AddColumns("copied", "count");
            foreach (var (name, count) in rows) table.AddRow(name, count.ToString());
            table.AddRow("artifact files", files.ToString());
            Output.Console(stdout).Write(table);
            stdout.WriteLine($"Migrated {source.Database.Description} -> {target.Database.Description}, artifacts {StoreWiring.Describe(sourceArtifacts)} -> {StoreWiring.Describe(targetArtifacts)}.");
            (sourceArtifacts as IDisposable)?.Dispose();
            (targetArtifacts as IDisposable)?.Dispose();
            return 0;
        });
        return command;
    }
}
