namespace Cairn.Data;

public static class Changes
{
    public const string Added = "added";
    public const string Removed = "removed";
    public const string Modified = "modified";
}

/// <summary>A file that differs inside a tracked folder (path relative to the folder).</summary>
public sealed record FileChange(string Path, string Change);

public sealed record AddResult(string Path, DataPointer Pointer, int FilesHashed, int ObjectsStored, long BytesStored, int SkippedLinks);

public static class DataStates
{
    public const string Unchanged = "unchanged";
    public const string Modified = "modified";
    public const string Missing = "missing";
}

/// <summary>How a tracked path in the workspace compares with its pointer; <see cref="InCache"/> says whether its objects can be checked out.</summary>
public sealed record DataStatus(string Path, string State, bool InCache, IReadOnlyList<FileChange> Changes, string? Note = null);

/// <summary>A tracked path that differs between two revisions, with its file changes (folders) and table summaries (CSV/Parquet).</summary>
public sealed record DataDiffEntry(string Path, string Change, DataPointer? Old, DataPointer? New, IReadOnlyList<FileChange> Files, string? Note = null);

public sealed record CheckoutResult(string Path, int Restored, int Removed, int Unchanged, string? Problem = null);

public sealed record SyncFailure(string Hex, string Message);

public sealed record SyncResult(string Remote, int Needed, int Transferred, long Bytes, int AlreadyThere, IReadOnlyList<SyncFailure> Failures);

public sealed record GcResult(int Kept, int Removed, long BytesFreed, bool DryRun);
