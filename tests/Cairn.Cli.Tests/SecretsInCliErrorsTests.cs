namespace Cairn.Cli.Tests;

/// <summary>A database URI with a password that cannot be used: the one-line error names it without the password.</summary>
public class SecretsInCliErrorsTests
{
    private const string Password = "hunter2pw";

    [Theory]
    [InlineData("postgresql://cairn:" + Password + "@db:notaport/cairn")]
    [InlineData("postgresql://cairn:" + Password + "@127.0.0.1:1/cairn")]
    public async Task UnusablePostgresUri_ErrorWithoutThePassword(string uri)
    {
        Environment.SetEnvironmentVariable("CAIRN_DB_RETRY_SECONDS", "0"); // fail at once rather than retry for 30 s
        var (stdout, stderr) = (new StringWriter(), new StringWriter());

        int exit;
        try
        {
            exit = await CairnCli.RunAsync(["db", "upgrade", "--backend-store-uri", uri], stdout, stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CAIRN_DB_RETRY_SECONDS", null);
        }

        Assert.NotEqual(0, exit);
        Assert.StartsWith("error:", stderr.ToString());
        Assert.DoesNotContain(Password, stderr.ToString() + stdout);
    }
}
