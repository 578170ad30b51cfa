using System.Text.Json.Nodes;
using Cairn.Pipelines.CiCd;

namespace Cairn.Pipelines.Tests;

/// <summary>
/// The generated files against each provider's schema (CiSchemas/), and the proof that the schemas
/// can fail: a misspelled key, a wrong type or a value outside an enum in an otherwise valid file is refused.
/// </summary>
public class CiSchemaTests
{
    private static CiWorkflowSpec Minimal => CiWorkflowSpec.Create("0.1.0");

    private static CiWorkflowSpec Full => CiWorkflowSpec.Create("0.1.0", branch: "release/2026", pipelineFile: "pipelines/train.yaml",
        schedule: "0 3 * * MON", gates: ["metrics.auc >= 0.8", "metrics.rmse < champion's 2.5"], promote: "models:/delay", alias: "champion",
        secrets: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);

    public static TheoryData<CiProvider, bool> Files => new()
    {
        { CiProvider.GitHub, false }, { CiProvider.GitHub, true },
        { CiProvider.AzureDevOps, false }, { CiProvider.AzureDevOps, true },
        { CiProvider.GitLab, false }, { CiProvider.GitLab, true },
    };

    private static JsonNode Generated(CiProvider provider, bool full = true) =>
        CiSchemas.ToJson(provider, CiWorkflowGenerator.Generate(provider, full ? Full : Minimal));

    [Theory]
    [MemberData(nameof(Files))]
    public void Generate_EveryOptionSet_ValidatesAgainstTheProviderSchema(CiProvider provider, bool full)
    {
        var errors = CiSchemas.Errors(provider, Generated(provider, full));

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>The change must be what the schema refuses: the same file unchanged passes.</summary>
    private static void AssertRefused(CiProvider provider, Action<JsonNode> breakIt)
    {
        var document = Generated(provider);
        Assert.Empty(CiSchemas.Errors(provider, document));
        breakIt(document);
        Assert.NotEmpty(CiSchemas.Errors(provider, document));
    }

    private static void Rename(JsonNode? node, string from, string to)
    {
        var obj = node!.AsObject();
        var value = obj[from]!;
        obj.Remove(from);
        obj[to] = value;
    }

    private static JsonNode Step(JsonNode document, int index) => document["jobs"]!["cairn"]!["steps"]![index]!;

    [Fact]
    public void GitHubSchema_MisspelledKeys_AreRefused()
    {
        AssertRefused(CiProvider.GitHub, d => Rename(d, "permissions", "permission"));
        AssertRefused(CiProvider.GitHub, d => Rename(d["on"], "pull_request", "pull-request"));
        AssertRefused(CiProvider.GitHub, d => Rename(d["jobs"]!["cairn"], "runs-on", "runs_on"));
        AssertRefused(CiProvider.GitHub, d => Rename(Step(d, 5), "env", "environment"));
        AssertRefused(CiProvider.GitHub, d => Rename(d["on"]!["schedule"]![0], "cron", "crontab"));
    }

    [Fact]
    public void GitHubSchema_WrongTypesAndValues_AreRefused()
    {
        AssertRefused(CiProvider.GitHub, d => d["on"]!["push"]!["branches"] = "main");
        AssertRefused(CiProvider.GitHub, d => d["jobs"]!["cairn"]!["steps"] = "dotnet build");
        AssertRefused(CiProvider.GitHub, d => d["jobs"]!["cairn"]!["timeout-minutes"] = "ten");
        AssertRefused(CiProvider.GitHub, d => d["permissions"]!["contents"] = "admin");
        AssertRefused(CiProvider.GitHub, d => Step(d, 0)["run"] = "echo both uses and run");
        AssertRefused(CiProvider.GitHub, d => d.AsObject().Remove("jobs"));
    }

    [Fact]
    public void AzureSchema_MisspelledKeys_AreRefused()
    {
        AssertRefused(CiProvider.AzureDevOps, d => Rename(d, "trigger", "triggers"));
        AssertRefused(CiProvider.AzureDevOps, d => Rename(d["steps"]![2], "displayName", "displayname"));
        AssertRefused(CiProvider.AzureDevOps, d => Rename(d["steps"]![1]!["inputs"], "packageType", "package_type"));
        AssertRefused(CiProvider.AzureDevOps, d => Rename(d["schedules"]![0], "always", "allways"));
        AssertRefused(CiProvider.AzureDevOps, d => Rename(d["pr"]!["branches"], "include", "includes"));
    }

    [Fact]
    public void AzureSchema_WrongTypesAndValues_AreRefused()
    {
        AssertRefused(CiProvider.AzureDevOps, d => d["trigger"]!["branches"]!["include"] = "main");
        AssertRefused(CiProvider.AzureDevOps, d => d["steps"] = new JsonObject { ["script"] = "dotnet build" });
        AssertRefused(CiProvider.AzureDevOps, d => d["steps"]![1]!["inputs"]!["packageType"] = "jdk");
        AssertRefused(CiProvider.AzureDevOps, d => d["schedules"]![0]!["always"] = "sometimes");
        AssertRefused(CiProvider.AzureDevOps, d => d["trigger"]!["branches"]!["include"]![0] = "feature:x");
        AssertRefused(CiProvider.AzureDevOps, d => d["steps"]![3]!["name"] = "has spaces");
    }

    [Fact]
    public void GitLabSchema_MisspelledKeys_AreRefused()
    {
        // Any unknown top-level key is read as a job: a misspelled "stages" becomes a job that is not an object.
        AssertRefused(CiProvider.GitLab, d => Rename(d, "stages", "stage"));
        AssertRefused(CiProvider.GitLab, d => Rename(d["cairn-pipeline"], "before_script", "before_scripts"));
        AssertRefused(CiProvider.GitLab, d => Rename(d["default"], "image", "images"));
        AssertRefused(CiProvider.GitLab, d => Rename(d["cairn-promote"]!["rules"]![0], "if", "iff"));
        AssertRefused(CiProvider.GitLab, d => Rename(d["workflow"]!["rules"]![0], "if", "when_if"));
    }

    [Fact]
    public void GitLabSchema_WrongTypesAndValues_AreRefused()
    {
        AssertRefused(CiProvider.GitLab, d => d["build-and-test"]!["stage"] = 5);
        AssertRefused(CiProvider.GitLab, d => d["cairn-pipeline"]!["artifacts"]!["paths"] = ".cairn-ci/");
        AssertRefused(CiProvider.GitLab, d => d["cairn-pipeline"]!["script"] = new JsonArray());
        AssertRefused(CiProvider.GitLab, d => d["cairn-promote"]!["rules"]![0]!["when"] = "sometimes");
        AssertRefused(CiProvider.GitLab, d => d["stages"] = new JsonArray("test", "test"));
        AssertRefused(CiProvider.GitLab, d => d["cairn-promote"]!["when"] = "delayed");
    }

    /// <summary>The YAML reading matters: a quoted "true" is text, and GitLab wants a boolean there.</summary>
    [Fact]
    public void GitLabSchema_QuotedBoolean_IsRefusedWherePlainIsAccepted()
    {
        const string job = "test:\n  script: [dotnet test]\n  interruptible: {0}\n";

        Assert.Empty(CiSchemas.Errors(CiProvider.GitLab, CiSchemas.ToJson(CiProvider.GitLab, string.Format(job, "true"))));
        Assert.NotEmpty(CiSchemas.Errors(CiProvider.GitLab, CiSchemas.ToJson(CiProvider.GitLab, string.Format(job, "\"true\""))));
    }
}
