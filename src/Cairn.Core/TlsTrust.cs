using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cairn;

/// <summary>
/// How a client checks an https server's certificate: against the system's roots (the default),
/// against the CAs of a PEM bundle only (a private CA; like MLflow's
/// <c>MLFLOW_TRACKING_SERVER_CERT_PATH</c> and requests' <c>verify=path</c>, the bundle replaces the
/// system's roots), or not at all.
/// </summary>
public sealed class TlsTrust
{
    /// <summary>Cairn's variable for a PEM file of CA certificates to trust instead of the system's.</summary>
    public const string CaBundleVariable = "CAIRN_TRACKING_CA_BUNDLE";
    /// <summary>MLflow's variable for the same, read when Cairn's is unset.</summary>
    public const string MlflowCertPathVariable = "MLFLOW_TRACKING_SERVER_CERT_PATH";
    /// <summary>MLflow's variable that turns verification off ("true").</summary>
    public const string MlflowInsecureVariable = "MLFLOW_TRACKING_INSECURE_TLS";

    private readonly X509Certificate2Collection? _roots;

    private TlsTrust(X509Certificate2Collection? roots, string? caBundle, bool insecure) => (_roots, CaBundle, IsInsecure) = (roots, caBundle, insecure);

    /// <summary>The PEM file whose CAs are trusted; null when the system's roots are.</summary>
    public string? CaBundle { get; }

    /// <summary>Whether certificates are accepted unchecked.</summary>
    public bool IsInsecure { get; }

    /// <summary>The system's roots, as any HttpClient checks them.</summary>
    public static TlsTrust System { get; } = new(null, null, false);

    /// <summary>Any certificate, unchecked: for a test server only; anyone on the path can read and change the traffic.</summary>
    public static TlsTrust Insecure { get; } = new(null, null, true);

    /// <summary>Only certificates issued by a CA in the PEM file at <paramref name="path"/> (one or more certificates).</summary>
    /// <exception cref="CairnException">The file is missing or holds no PEM certificate.</exception>
    public static TlsTrust FromCaBundle(string path)
    {
        if (!File.Exists(path)) throw CairnException.InvalidParameter($"The CA bundle '{path}' does not exist.");
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw CairnException.InvalidParameter($"The CA bundle '{path}' is not a PEM file of certificates: {e.Message}");
        }
        if (roots.Count == 0) throw CairnException.InvalidParameter($"The CA bundle '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        return new TlsTrust(roots, path, false);
    }

    /// <summary>
    /// From the environment: <c>MLFLOW_TRACKING_INSECURE_TLS=true</c> turns checks off; else the bundle in
    /// <c>CAIRN_TRACKING_CA_BUNDLE</c>, else in <c>MLFLOW_TRACKING_SERVER_CERT_PATH</c>; else the system's roots.
    /// </summary>
    /// <param name="read">Reads a variable; null for the process environment.</param>
    /// <exception cref="CairnException">Both a bundle and insecure are set, the insecure flag is not a boolean, or the bundle is unusable.</exception>
    public static TlsTrust FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var bundle = read(CaBundleVariable) is { Length: > 0 } cairn ? cairn : read(MlflowCertPathVariable) is { Length: > 0 } mlflow ? mlflow : null;
        if (InsecureRequested(read))
        {
            if (bundle is not null) throw CairnException.InvalidParameter($"{MlflowInsecureVariable} and a CA bundle are both set: unset one of them.");
            return Insecure;
        }
        return bundle is null ? System : FromCaBundle(bundle);
    }

    /// <summary>Whether <c>MLFLOW_TRACKING_INSECURE_TLS</c> asks for no checks (true or 1; false, 0 or unset do not).</summary>
    /// <exception cref="CairnException">Another value.</exception>
    public static bool InsecureRequested(Func<string, string?>? read = null) => (read ?? Environment.GetEnvironmentVariable)(MlflowInsecureVariable)?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        var other => throw CairnException.InvalidParameter($"{MlflowInsecureVariable} must be true or false, not '{other}'."),
    };

    /// <summary>A handler that checks certificates this way; the caller sets its other properties and owns it.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler();
        if (IsInsecure) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        else if (_roots is { } roots) handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IssuedByBundle(roots, certificate, chain, errors);
        return handler;
    }

    /// <summary>What to tell a user whose connection to <paramref name="server"/> failed its TLS handshake.</summary>
    public string HandshakeFailure(Uri server, Exception error)
    {
        var reason = error.GetBaseException().Message.TrimEnd('.');
        return _roots is null
            ? $"Cannot open a secure connection to {server}: {reason}. If its certificate is from a private CA, set {CaBundleVariable} (or {MlflowCertPathVariable}) to that CA's PEM file."
            : $"Cannot open a secure connection to {server}: its certificate is not issued for {server.Host} by a CA in {CaBundle}, or the handshake failed ({reason}).";
    }

    /// <summary>The chain is built to the bundle's CAs alone; a name mismatch is refused as the system check refuses it.</summary>
    private static bool IssuedByBundle(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // A private CA rarely publishes revocation lists; the system check does not ask for them either.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Intermediates the server sent along.
        if (presented is not null)
            foreach (var element in presented.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
