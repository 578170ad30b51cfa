using System.CommandLine;
using System.Reflection;
using Cairn.Pipelines.CiCd;

namespace Cairn.Cli.Commands;

internal static class CiCommands
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("ci", "Set up continuous integration that runs the Cairn pipeline.");
        command.Subcommands.Add(Init(stdout));
        return command;
    }

    private static Command Init(TextWriter stdout)
    {
        var github = new Option<bool>("--github") { Description = "Write a GitHub Actions workflow (.github/workflows/cairn.yml)." };
        var azure = new Option<bool>("--azure-devops") { Description = "Write an Azure Pipelines file (azure-pipelines.yml)." };
        var gitlab = new Option<bool>("--gitlab") { Description = "Write a GitLab CI/CD file (.gitlab-ci.yml)." };
        var output = new Option<string?>("--out") { Description = "Where to write it, inside the repository (default: where the CI service looks)." };
        var force = new Option<bool>("--force") { Description = "Overwrite the file if it exists." };
        var repo = new Option<string?>("--repo") { Description = "The repository's root folder (default: the git repository around the current folder)." };
        var pipeline = new Option<string>("--pipeline") { Description = "The pipeline file to run.", DefaultValueFactory = _ => CiWorkflowSpec.DefaultPipelineFile };
        var branch = new Option<string>("--branch") { Description = "The default branch: pushes to it and pull requests into it run the workflow (GitLab uses the project's default branch).", DefaultValueFactory = _ => CiWorkflowSpec.DefaultBranch };
        var schedule = new Option<string?>("--schedule") { Description = "Also run on a cron schedule in UTC, e.g. \"0 3 * * 1\"." };
        var gates = new Option<string[]>("--gate") { Description = "A gate the pipeline run must pass, e.g. \"metrics.auc >= 0.8\" (repeatable)." };
        var promote = new Option<string?>("--promote") { Description = "Promote the version the pipeline registered of this model, models:/<name>, once the gates pass (not on pull requests)." };
        var alias = new Option<string?>("--alias") { Description = $"The alias the promotion moves (default: {CiWorkflowSpec.DefaultAlias})." };
        var secrets = new Option<string[]>("--secret") { Description = $"Another secret the cairn steps need as an environment variable, e.g. AWS_ACCESS_KEY_ID (repeatable; {CiWorkflowSpec.TrackingUriSecret} is always passed)." };
        var version = new Option<string?>("--cairn-version") { Description = "The version of the cairn tool the workflow installs (default: this one's)." };
        var command = new Command("init", "Write a CI workflow that builds, tests, runs the pipeline, checks the gates and promotes the model.")
        {
            github, azure, gitlab, output, force, repo, pipeline, branch, schedule, gates, promote, alias, secrets, version,
        };
        command.SetAction(parse =>
        {
            var chosen = new[] { (github, CiProvider.GitHub), (azure, CiProvider.AzureDevOps), (gitlab, CiProvider.GitLab) }
                .Where(p => parse.GetValue(p.Item1)).Select(p => p.Item2).ToList();
            if (chosen.Count != 1)
                throw CairnException.InvalidParameter("Choose one CI service: --github, --azure-devops or --gitlab.");
            var provider = chosen[0];
            var spec = CiWorkflowSpec.Create(
                parse.GetValue(version) ?? ToolVersion(), parse.GetValue(branch), parse.GetValue(pipeline), parse.GetValue(schedule),
                parse.GetValue(gates), parse.GetValue(promote), parse.GetValue(alias), parse.GetValue(secrets));
            var root = parse.GetValue(repo) ?? CiWorkflowFile.FindRepositoryRoot(Environment.CurrentDirectory);
            var path = parse.GetValue(output) ?? CiProviders.DefaultPath(provider);
            var written = CiWorkflowFile.Write(root, path, CiWorkflowGenerator.Generate(provider, spec), parse.GetValue(force));

            stdout.WriteLine($"Wrote {Path.GetRelativePath(root, written)}.");
            stdout.WriteLine($"Set these secrets in the {CiProviders.SecretsLocation(provider)}: {string.Join(", ", spec.Secrets)}.");
            if (CiWorkflowGenerator.ScheduleNote(provider, spec) is { } note) stdout.WriteLine(note);
            if (!File.Exists(Path.Combine(root, spec.PipelineFile)))
                stdout.WriteLine($"Note: {spec.PipelineFile} does not exist yet; the workflow runs it.");
            return 0;
        });
        return command;
    }

    /// <summary>This cairn's version, so the workflow installs the tool the user generated it with.</summary>
    private static string ToolVersion() =>
        typeof(CiCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";
}
