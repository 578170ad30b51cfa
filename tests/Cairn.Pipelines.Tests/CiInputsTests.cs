using Cairn.Pipelines.CiCd;

namespace Cairn.Pipelines.Tests;

/// <summary>Every text a user gives `cairn ci init` ends up in a CI file run by a shell: what could be expanded there is refused.</summary>
public class CiInputsTests
{
    private static CairnException Refused(Func<object> create) => Assert.Throws<CairnException>(create);

    [Fact]
    public void Create_WithDefaults_RunsCairnPipelineYamlOnMainAndPassesTheTrackingUri()
    {
        var spec = CiWorkflowSpec.Create("0.1.0+abc123");

        Assert.Equal("main", spec.Branch);
        Assert.Equal("cairn.pipeline.yaml", spec.PipelineFile);
        Assert.Equal("0.1.0", spec.CairnVersion);
        Assert.Equal(["CAIRN_TRACKING_URI"], spec.Secrets);
        Assert.Null(spec.Schedule);
        Assert.Empty(spec.Gates);
        Assert.Null(spec.Promotion);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("release/2026.1")]
    [InlineData("dev_branch-2")]
    public void Branch_PlainName_IsAccepted(string branch) => Assert.Equal(branch, CiInputs.Branch(branch));

    [Theory]
    [InlineData("")]
    [InlineData("-main")]
    [InlineData("feature/*")]
    [InlineData("a..b")]
    [InlineData("main$(whoami)")]
    [InlineData("main\nrun: x")]
    [InlineData("a b")]
    [InlineData("x.lock")]
    public void Branch_WithWildcardsOrShellCharacters_IsRefused(string branch) =>
        Assert.Contains("--branch", Refused(() => CiInputs.Branch(branch)).Message);

    [Theory]
    [InlineData("cairn.pipeline.yaml")]
    [InlineData("pipelines/train-delay.yml")]
    public void PipelineFile_RelativeInsideRepository_IsAccepted(string path) => Assert.Equal(path, CiInputs.RelativeFile(path, "--pipeline"));

    [Theory]
    [InlineData("../outside.yaml")]
    [InlineData("a/../../b.yaml")]
    [InlineData("/etc/passwd")]
    [InlineData("p.yaml; rm -rf ~")]
    [InlineData("$HOME/p.yaml")]
    [InlineData("--help")]
    [InlineData("a//b.yaml")]
    public void PipelineFile_OutsideOrWithShellCharacters_IsRefused(string path) =>
        Assert.Contains("--pipeline", Refused(() => CiInputs.RelativeFile(path, "--pipeline")).Message);

    [Theory]
    [InlineData("metrics.auc >= 0.8")]
    [InlineData("metrics.rmse <= champion.metrics.rmse * 1.05 and params.model == 'lgbm'")]
    public void Gate_Expression_IsKeptAsGiven(string gate) => Assert.Equal(gate, CiInputs.Gate(gate));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("metrics.auc >= ${{ secrets.CAIRN_TRACKING_URI }}")]
    [InlineData("metrics.auc >= $(CAIRN_TRACKING_URI)")]
    [InlineData("metrics.auc >= $CI_JOB_TOKEN")]
    [InlineData("metrics.auc >= `id`")]
    [InlineData("metrics.auc >= 0.8\ncurl evil")]
    public void Gate_WithExpansionOrControlCharacters_IsRefused(string gate) =>
        Assert.Contains("--gate", Refused(() => CiInputs.Gate(gate)).Message);

    [Fact]
    public void Gate_LongerThan1000Characters_IsRefused() =>
        Assert.Contains("--gate", Refused(() => CiInputs.Gate("metrics.auc >= 0.8 " + new string('x', 1000))).Message);

    [Theory]
    [InlineData("models:/delay", "delay")]
    [InlineData("models:/team/delay model", "team/delay model")]
    public void ModelToPromote_Name_IsReturned(string uri, string name) => Assert.Equal(name, CiInputs.ModelToPromote(uri));

    [Theory]
    [InlineData("delay")]
    [InlineData("models:/")]
    [InlineData("models:/delay@champion")]
    [InlineData("models:/delay/3")]
    [InlineData("models:/delay$(id)")]
    [InlineData("models:/a=b")]
    [InlineData("models:/del\u0007ay")]
    public void ModelToPromote_VersionAliasOrHostileName_IsRefused(string uri) =>
        Assert.Throws<CairnException>(() => CiInputs.ModelToPromote(uri));

    [Fact]
    public void Create_AliasWithoutPromote_IsRefused() =>
        Assert.Contains("--promote", Refused(() => CiWorkflowSpec.Create("0.1.0", alias: "champion")).Message);

    [Fact]
    public void Create_Promote_DefaultsToChampionAndValidatesTheAlias()
    {
        Assert.Equal(new CiPromotion("delay", "champion"), CiWorkflowSpec.Create("0.1.0", promote: "models:/delay").Promotion);
        Assert.Equal(new CiPromotion("delay", "staging"), CiWorkflowSpec.Create("0.1.0", promote: "models:/delay", alias: "staging").Promotion);
        Refused(() => CiWorkflowSpec.Create("0.1.0", promote: "models:/delay", alias: "latest"));
        Refused(() => CiWorkflowSpec.Create("0.1.0", promote: "models:/delay", alias: "champ ion"));
    }

    [Fact]
    public void Create_Secrets_TrackingUriFirstAndNoDuplicates()
    {
        var spec = CiWorkflowSpec.Create("0.1.0", secrets: ["AWS_ACCESS_KEY_ID", "CAIRN_TRACKING_URI", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);

        Assert.Equal(["CAIRN_TRACKING_URI", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], spec.Secrets);
    }

    [Theory]
    [InlineData("aws_key")]
    [InlineData("1KEY")]
    [InlineData("KEY-ID")]
    [InlineData("GITHUB_TOKEN")]
    [InlineData("KEY }}\n  run: curl evil")]
    public void SecretName_NotAnEnvironmentVariableName_IsRefused(string name) =>
        Assert.Contains("--secret", Refused(() => CiInputs.SecretName(name)).Message);

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("1.2.3-beta.4")]
    public void ToolVersion_NuGetVersion_IsAccepted(string version) => Assert.Equal(version, CiInputs.ToolVersion(version));

    [Theory]
    [InlineData("latest")]
    [InlineData("1.0")]
    [InlineData("1.0.0 && curl evil")]
    public void ToolVersion_Other_IsRefused(string version) => Refused(() => CiInputs.ToolVersion(version));

    [Theory]
    [InlineData("0 3 * * 1", "0 3 * * 1")]
    [InlineData("*/15  *  * * *", "*/15 * * * *")]
    [InlineData("0 6 * * MON-FRI", "0 6 * * MON-FRI")]
    [InlineData("30 2 1,15 jan,jul *", "30 2 1,15 jan,jul *")]
    [InlineData("0 0-23/2 * * 0", "0 0-23/2 * * 0")]
    public void Schedule_PortableCron_IsAcceptedAndNormalized(string cron, string expected) => Assert.Equal(expected, CiSchedule.Validate(cron));

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("0 25 * * *")]
    [InlineData("0 3 * *")]
    [InlineData("0 0 3 * * 1")]
    [InlineData("@daily")]
    [InlineData("0 3 L * *")]
    [InlineData("0 3 15W * *")]
    [InlineData("0 3 * * 1#2")]
    [InlineData("0 3 ? * 1")]
    [InlineData("0 3 * * MON$(id)")]
    [InlineData("every day")]
    public void Schedule_InvalidOrNotPortable_IsRefused(string cron) =>
        Assert.Contains("--schedule", Refused(() => CiSchedule.Validate(cron)).Message);
}
