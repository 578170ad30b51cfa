using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Cairn.Hosting;

/// <summary>
/// The certificate a server answers https with (--tls-cert and --tls-key, PEM files), TLS 1.2 and 1.3
/// only. The certificate file may hold intermediate CAs after the server's own certificate: they are
/// sent along. The key must not be encrypted.
/// </summary>
public sealed class ServerTls
{
    /// <summary>The options that name the files, as errors mention them.</summary>
    public const string CertificateOption = "--tls-cert", KeyOption = "--tls-key";

    private ServerTls(X509Certificate2 certificate, X509Certificate2Collection chain) => (Certificate, Chain) = (certificate, chain);

    /// <summary>The server's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Intermediate CAs sent after the certificate; often none.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The certificate in <paramref name="certificateFile"/> with the key in <paramref name="keyFile"/>; null when neither is given.</summary>
    /// <exception cref="CairnException">Only one is given, a file is missing, is not PEM, the key is encrypted or does not match the certificate.</exception>
    public static ServerTls? FromFiles(string? certificateFile, string? keyFile)
    {
        if (certificateFile is null && keyFile is null) return null;
        if (certificateFile is null || keyFile is null)
            throw CairnException.InvalidParameter($"{CertificateOption} and {KeyOption} go together: give the certificate's PEM file and its private key's.");
        foreach (var (option, file) in new[] { (CertificateOption, certificateFile), (KeyOption, keyFile) })
            if (!File.Exists(file)) throw CairnException.InvalidParameter($"{option} {file} does not exist.");
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            chain.ImportFromPemFile(certificateFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw CairnException.InvalidParameter($"Cannot serve https with {CertificateOption} {certificateFile} and {KeyOption} {keyFile}: {e.Message} "
                + "Both must be PEM files, the key unencrypted and matching the certificate.");
        }
        // The first certificate is the server's own; the rest are intermediates.
        chain.RemoveAt(0);
        // Windows' TLS stack cannot use a key that only lives in memory.
        if (OperatingSystem.IsWindows()) certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        return new ServerTls(certificate, chain);
    }

    /// <summary>Answers https on <paramref name="listen"/> with this certificate, TLS 1.2 or 1.3.</summary>
    public void Apply(ListenOptions listen) => listen.UseHttps(new HttpsConnectionAdapterOptions
    {
        ServerCertificate = Certificate,
        ServerCertificateChain = Chain,
        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    });
}
