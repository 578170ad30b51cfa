namespace Cairn;

/// <summary>Error codes on the wire, as MLflow names them.</summary>
public static class ErrorCodes
{
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
    public const string BadRequest = "BAD_REQUEST";
    public const string InvalidState = "INVALID_STATE";
    public const string InternalError = "INTERNAL_ERROR";
    public const string TemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE";
    public const string PermissionDenied = "PERMISSION_DENIED";
    /// <summary>An operation a backend does not offer by design (a REST client asked for a password hash).</summary>
    public const string NotImplemented = "NOT_IMPLEMENTED";
}

/// <summary>
/// A failure the user can act on: it carries an MLflow error code and a message that says what was
/// wrong. Hosts turn it into a 4xx body or a non-zero exit, never a stack trace.
/// </summary>
public class CairnException(string errorCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ErrorCode { get; } = errorCode;

    /// <summary>A fault of the server, not of the input: its message is for the log, never for the user.</summary>
    public bool IsInternal => ErrorCode == ErrorCodes.InternalError;

    public static CairnException InvalidParameter(string message) => new(ErrorCodes.InvalidParameterValue, message);
    public static CairnException NotFound(string message) => new(ErrorCodes.ResourceDoesNotExist, message);
    public static CairnException AlreadyExists(string message) => new(ErrorCodes.ResourceAlreadyExists, message);
    public static CairnException InvalidState(string message) => new(ErrorCodes.InvalidState, message);
}
