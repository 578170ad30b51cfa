namespace Cairn.Deployments.Replicas;

/// <summary>
/// One copy of a variant's model that scores rows: the model loaded in the router process
/// (<see cref="LocalReplica"/>) or a <c>cairn serve</c> child process reached over HTTP
/// (<see cref="RemoteReplica"/>). Both answer the same rows with the same values.
/// </summary>
public interface IReplica : IAsyncDisposable
{
    /// <summary>Unique within a <see cref="ReplicaSet"/>: <c>local</c>, or <c>r1</c>, <c>r2</c> ... for processes.</summary>
    string Id { get; }

    /// <summary>True for the model in the router's own process (no network hop).</summary>
    bool IsLocal { get; }

    /// <summary>Requests this replica is scoring now.</summary>
    int InFlight { get; }

    /// <summary>False once the replica failed at the connection level or its process exited.</summary>
    bool Healthy { get; }

    /// <summary>Completes when the replica's process exits (never, for the local one).</summary>
    Task Exited { get; }

    /// <summary>Scores rows. A <see cref="CairnException"/> is the caller's fault (bad input); see <see cref="ReplicaUnreachableException"/> and <see cref="ReplicaFailedException"/> for the replica's.</summary>
    Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct);
}

/// <summary>Starts a replica of a model; the replica is ready to score when the task completes.</summary>
public interface IReplicaLauncher
{
    Task<IReplica> StartAsync(string modelUri, CancellationToken ct);
}

/// <summary>The replica could not be reached or dropped the connection before it answered: the request can be sent elsewhere.</summary>
public sealed class ReplicaUnreachableException(string replicaId, Exception inner)
    : Exception($"Replica {replicaId} could not be reached: {inner.GetBaseException().Message}", inner)
{
    public string ReplicaId { get; } = replicaId;
}

/// <summary>The replica answered with a server error (HTTP 5xx): the model failed on this request.</summary>
public sealed class ReplicaFailedException(string replicaId, int statusCode, string message)
    : Exception($"Replica {replicaId} failed with HTTP {statusCode}: {message}")
{
    public string ReplicaId { get; } = replicaId;
    public int StatusCode { get; } = statusCode;
}
