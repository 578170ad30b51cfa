namespace Cairn.Core.Tests.Security;

public class SecretsTests
{
    [Theory]
    [InlineData("postgresql://cairn:hunter2pw@db:5432/cairn", "postgresql://cairn:***@db:5432/cairn", "hunter2pw")]
    [InlineData("redis://:hunter2pw@cache:6379/0", "redis://:***@cache:6379/0", "hunter2pw")]
    [InlineData("Host=db;Username=cairn;Password=hunter2pw;Database=cairn", "Host=db;Username=cairn;Password=***;Database=cairn", "hunter2pw")]
    [InlineData("Host=db;PWD=hunter2pw", "Host=db;PWD=***", "hunter2pw")]
    [InlineData("https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123&X-Amz-Date=1", "https://b.s3.amazonaws.com/k?X-Amz-Signature=***&X-Amz-Date=1", "abcdef0123")]
    [InlineData("https://acct.blob.core.windows.net/c?sv=1&sig=abcdef0123", "https://acct.blob.core.windows.net/c?sv=1&sig=***", "abcdef0123")]
    [InlineData("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENG", "AWS_SECRET_ACCESS_KEY=***", "wJalrXUtnFEMIK7MDENG")]
    [InlineData("{\"api_key\": \"hunter2pw\"}", "{\"api_key\": \"***\"}", "hunter2pw")]
    [InlineData("Authorization: Basic dXNlcjpodW50ZXIycHc=", "Authorization: Basic ***", "dXNlcjpodW50ZXIycHc")]
    [InlineData("sent Bearer abcdefghijklmnopqrstuvwxyz", "sent Bearer ***", "abcdefghijklmnopqrstuvwxyz")]
    public void Redact_MasksTheSecret_AndKeepsTheRest(string text, string expected, string secret)
    {
        var redacted = Secrets.Redact(text);

        Assert.Equal(expected, redacted);
        Assert.DoesNotContain(secret, redacted);
    }

    [Fact]
    public void Redact_MasksApiTokensAndJwts()
    {
        var token = global::Cairn.Security.ApiTokenSecrets.New().Secret;
        const string jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXBhcnQ";

        var redacted = Secrets.Redact($"token {token} rejected; id token {jwt} expired");

        Assert.Equal("token cairn_*** rejected; id token *** expired", redacted);
    }

    [Theory]
    [InlineData("Run 3f2a not found in experiment 'delay'.")]
    [InlineData("sqlite:///home/me/cairn.db and https://cairn.example.com:5000/api")]
    [InlineData("git@github.com:org/repo.git")]
    public void Redact_LeavesTextWithoutSecretsAlone(string text) => Assert.Equal(text, Secrets.Redact(text));

    [Fact]
    public void Redact_NullStaysNull() => Assert.Null(Secrets.Redact(null));

    [Fact]
    public void RedactArguments_MasksValuesOfSecretOptions_InBothForms_AndKeepsAKeyFilePath()
    {
        string[] argv = ["cairn", "run", "--token", "t0psecret", "--db-password=pw123456", "--aws-secret-key", "k3y", "--key", "key.pem",
            "--tracking-uri", "postgresql://u:pw123456@h/db", "--name", "plain"];

        var redacted = Secrets.RedactArguments(argv);

        Assert.Equal(["cairn", "run", "--token", "***", "--db-password=***", "--aws-secret-key", "***", "--key", "key.pem",
            "--tracking-uri", "postgresql://u:***@h/db", "--name", "plain"], redacted);
    }

    [Fact]
    public void RedactArguments_ASecretOptionLastOnTheLineHasNothingToMask() =>
        Assert.Equal(["cairn", "--token"], Secrets.RedactArguments(["cairn", "--token"]));

    [Fact]
    public async Task Redact_FinishesOnLongHostileInput()
    {
        // Inputs that make backtracking patterns explode: many near-misses of every pattern, no end in sight.
        var hostile = string.Concat(Enumerable.Repeat("a://:b:c password password= eyJaaaa.eyJ cairn_ Bearer ", 20_000))
            + new string(':', 100_000) + new string('@', 1) + new string('a', 100_000);

        var redacted = await Task.Run(() => Secrets.Redact(hostile)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.NotNull(redacted);
    }
}
