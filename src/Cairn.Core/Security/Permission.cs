namespace Cairn.Security;

/// <summary>
/// What a user may do with one experiment or registered model, as MLflow's auth defines it: each
/// level includes the ones before it (READ &lt; EDIT &lt; MANAGE); NO_PERMISSIONS allows nothing.
/// </summary>
public enum Permission
{
    /// <summary>Nothing, not even reading (MLflow's NO_PERMISSIONS).</summary>
    NoPermissions,
    /// <summary>Read (MLflow's READ).</summary>
    Read,
    /// <summary>Read and update (MLflow's EDIT).</summary>
    Edit,
    /// <summary>Read, update, delete and grant permissions (MLflow's MANAGE).</summary>
    Manage,
}

/// <summary>The names of <see cref="Permission"/> on the wire and in commands, and what each allows.</summary>
public static class Permissions
{
    private static readonly (Permission Value, string Name)[] Names =
        [(Permission.NoPermissions, "NO_PERMISSIONS"), (Permission.Read, "READ"), (Permission.Edit, "EDIT"), (Permission.Manage, "MANAGE")];

    /// <summary>MLflow's name: READ, EDIT, MANAGE or NO_PERMISSIONS.</summary>
    public static string Name(this Permission permission) => Names.First(n => n.Value == permission).Name;

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the valid ones.</exception>
    public static Permission Parse(string? name) =>
        Names.FirstOrDefault(n => string.Equals(n.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } found
            ? found.Value
            : throw CairnException.InvalidParameter($"'{name}' is not a permission; use one of {string.Join(", ", Names.Select(n => n.Name))}.");

    /// <summary>Whether the permission allows reading.</summary>
    public static bool CanRead(this Permission permission) => permission >= Permission.Read;

    /// <summary>Whether the permission allows changing (logging to a run, a new version).</summary>
    public static bool CanUpdate(this Permission permission) => permission >= Permission.Edit;

    /// <summary>Whether the permission allows deleting and granting permissions.</summary>
    public static bool CanManage(this Permission permission) => permission >= Permission.Manage;
}
