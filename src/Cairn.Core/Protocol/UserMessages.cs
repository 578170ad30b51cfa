namespace Cairn.Protocol;

// Request and response bodies of MLflow's auth endpoints for users (/api/2.0/mlflow/users/*), as its
// basic-auth app and AuthServiceClient send and read them.

public sealed record CreateUserRequest(string? Username, string? Password);
public sealed record UpdateUserPasswordRequest(string? Username, string? Password);
public sealed record UpdateUserAdminRequest(string? Username, bool? IsAdmin);
public sealed record DeleteUserRequest(string? Username);

/// <summary>An experiment permission as MLflow's User lists it.</summary>
public sealed record ExperimentPermissionMessage(string ExperimentId, long UserId, string Permission);
/// <summary>A registered model permission as MLflow's User lists it.</summary>
public sealed record RegisteredModelPermissionMessage(string Name, long UserId, string Permission);
/// <summary>MLflow's User: never the password.</summary>
public sealed record UserMessage(long Id, string Username, bool IsAdmin,
    IReadOnlyList<ExperimentPermissionMessage> ExperimentPermissions, IReadOnlyList<RegisteredModelPermissionMessage> RegisteredModelPermissions);
public sealed record UserResponse(UserMessage User);

// MLflow's permission endpoints (/api/2.0/mlflow/experiments/permissions/*, /registered-models/permissions/*).

public sealed record ExperimentPermissionRequest(string? ExperimentId, string? Username, string? Permission);
public sealed record ExperimentPermissionResponse(ExperimentPermissionMessage ExperimentPermission);
public sealed record RegisteredModelPermissionRequest(string? Name, string? Username, string? Permission);
public sealed record RegisteredModelPermissionResponse(RegisteredModelPermissionMessage RegisteredModelPermission);
