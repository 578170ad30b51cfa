using System.Net.Http.Headers;
using System.Text;

namespace Cairn.Rest;

/// <summary>
/// How a client signs in to a server started with <c>--auth</c>: a bearer API token, or a user
/// name and password sent as HTTP basic, as MLflow's clients do.
/// </summary>
public sealed class ServerCredentials
{
    /// <summary>Cairn's variable for an API token.</summary>
    public const string TokenVariable = "CAIRN_TRACKING_TOKEN";
    /// <summary>MLflow's variable for a bearer token, read when Cairn's is unset.</summary>
    public const string MlflowTokenVariable = "MLFLOW_TRACKING_TOKEN";
    /// <summary>MLflow's variables for basic credentials.</summary>
    public const string MlflowUsernameVariable = "MLFLOW_TRACKING_USERNAME", MlflowPasswordVariable = "MLFLOW_TRACKING_PASSWORD";

    private readonly AuthenticationHeaderValue _header;

    private ServerCredentials(AuthenticationHeaderValue header) => _header = header;

    /// <summary>A bearer API token (<c>cairn tokens create</c>).</summary>
    public static ServerCredentials Bearer(string token) =>
        new(new AuthenticationHeaderValue("Bearer", string.IsNullOrWhiteSpace(token) ? throw CairnException.InvalidParameter("The API token is empty.") : token.Trim()));

    /// <summary>A user name and password, sent as HTTP basic.</summary>
    public static ServerCredentials Basic(string username, string password) =>
        new(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"))));

    /// <summary>
    /// From the environment: <c>CAIRN_TRACKING_TOKEN</c>, else <c>MLFLOW_TRACKING_TOKEN</c>, else
    /// <c>MLFLOW_TRACKING_USERNAME</c> with <c>MLFLOW_TRACKING_PASSWORD</c>; null when none is set.
    /// </summary>
    public static ServerCredentials? FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        if (read(TokenVariable) is { Length: > 0 } token) return Bearer(token);
        if (read(MlflowTokenVariable) is { Length: > 0 } mlflowToken) return Bearer(mlflowToken);
        return read(MlflowUsernameVariable) is { Length: > 0 } user ? Basic(user, read(MlflowPasswordVariable) ?? "") : null;
    }

    /// <summary>
    /// For <paramref name="server"/>: from the environment (<see cref="FromEnvironment"/>) first, else
    /// the token <c>cairn login</c> stored for that server (<see cref="CredentialsFile"/>); null when neither.
    /// </summary>
    /// <param name="server">The server's URI; a trailing slash does not matter.</param>
    /// <param name="read">Reads a variable; null for the process environment.</param>
    /// <exception cref="CairnException">The credentials file can be read by other users, or is not one.</exception>
    public static ServerCredentials? ForServer(Uri server, Func<string, string?>? read = null) =>
        FromEnvironment(read) ?? (CredentialsFile.Default(read)?.TokenFor(server) is { Length: > 0 } stored ? Bearer(stored) : null);

    /// <summary>Sets the Authorization header every request of <paramref name="http"/> carries.</summary>
    internal void Apply(HttpClient http) => http.DefaultRequestHeaders.Authorization = _header;

    /// <summary>The scheme only: a credential never shows in logs or messages.</summary>
    public override string ToString() => $"{_header.Scheme} credentials";
}
