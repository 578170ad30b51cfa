using System.CommandLine;
using Cairn.Models.Signing;

namespace Cairn.Cli.Commands;

/// <summary>`cairn models keygen|sign|verify`: signing registered versions with a local key.</summary>
internal static class ModelsSigningCommands
{
    public static Command Keygen(TextWriter stdout)
    {
        var algorithm = new Option<string>("--algorithm") { Description = "ed25519 or ecdsa-p256.", DefaultValueFactory = _ => SigningAlgorithms.Ed25519 };
        algorithm.AcceptOnlyFromAmong([.. SigningAlgorithms.All]);
        var output = new Option<string>("--out") { Description = "The private key file to write (PKCS#8 PEM, owner-only); the public key goes beside it as <name>.pub.pem.", Required = true };
        var command = new Command("keygen", "Make a key pair for signing model versions.") { algorithm, output };
        command.SetAction(parse =>
        {
            var key = SigningKey.Generate(parse.GetValue(algorithm)!);
            var publicPath = key.Save(parse.GetValue(output)!);
            stdout.WriteLine($"Wrote the {key.Algorithm} private key to {parse.GetValue(output)} and its public key to {publicPath} (key id {key.KeyId}).");
            stdout.WriteLine($"Give {publicPath} to whoever verifies or serves the models (--trusted-keys); keep the private key secret.");
            return 0;
        });
        return command;
    }

    public static Command Sign(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version> or models:/<name>@<alias>." };
        var key = new Option<string>("--key") { Description = "The private key file (from cairn models keygen).", Required = true };
        var command = new Command("sign", "Sign a version's package (its digest list) with a local key; the signature is stored with the version.") { uri, key };
        command.SetAction(async (parse, ct) =>
        {
            var signingKey = SigningKey.Load(parse.GetValue(key)!);
            using var client = GlobalOptions.OpenClient(parse);
            var signed = await new ModelSignatures(client).SignAsync(parse.GetValue(uri)!, signingKey, ct);
            stdout.WriteLine($"Signed {signed.Uri} with {signingKey.Algorithm} key {signed.KeyId} ({signed.EnvelopePath}).");
            return 0;
        });
        return command;
    }

    public static Command Verify(TextWriter stdout)
    {
        var uri = new Argument<string>("uri") { Description = "models:/<name>/<version> or models:/<name>@<alias>." };
        var trusted = new Option<string>("--trusted-keys") { Description = "A public key file, or a folder of them (*.pem).", Required = true };
        var command = new Command("verify", "Check that a trusted key signed a version and that none of its package files changed since.") { uri, trusted };
        command.SetAction(async (parse, ct) =>
        {
            var keys = TrustedKeys.Load(parse.GetValue(trusted)!);
            using var client = GlobalOptions.OpenClient(parse);
            var folder = Directory.CreateTempSubdirectory("cairn-verify-").FullName;
            try
            {
                var verified = await new ModelSignatures(client).DownloadVerifiedAsync(parse.GetValue(uri)!, keys, folder, ct);
                stdout.WriteLine($"Verified models:/{verified.Version.Name}/{verified.Version.Version}: signed by trusted key {verified.KeyId}, every package file matches its digest.");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }
}
