namespace Cairn.Security;

/// <summary>How an audit chain is broken.</summary>
public enum AuditBreakKind
{
    /// <summary>The entry's fields no longer give its stored hash: it was edited.</summary>
    Edited,
    /// <summary>Sequence numbers skip: entries were removed.</summary>
    Missing,
    /// <summary>A sequence number comes again or goes back: entries were reordered or duplicated.</summary>
    OutOfOrder,
    /// <summary>The entry does not point at the hash of the entry before it: that one was rewritten (hash recomputed) or entries were removed and renumbered.</summary>
    Unlinked,
    /// <summary>The head expected (from an earlier verify) is not in the chain: its tail was cut off or rewritten.</summary>
    HeadNotFound,
}

/// <summary>Where and how a chain is broken.</summary>
/// <param name="Sequence">The first entry found wrong (for <see cref="AuditBreakKind.HeadNotFound"/>, the last entry's number, 0 when none).</param>
public sealed record AuditBreak(long Sequence, AuditBreakKind Kind, string Message);

/// <summary>What a verification found.</summary>
/// <param name="Count">Entries checked.</param>
/// <param name="Head">The hash of the last entry (<see cref="AuditEntry.GenesisHash"/> when empty): keep it to detect a later truncation.</param>
/// <param name="Break">The first break; null when the chain is intact.</param>
public sealed record AuditVerification(long Count, string Head, AuditBreak? Break)
{
    /// <summary>Whether the chain is intact.</summary>
    public bool Intact => Break is null;
}

/// <summary>
/// Verifies an audit log's hash chain from its first entry: each entry's hash, its number following
/// the one before, and its link to the hash before. Cutting off the newest entries leaves a valid
/// chain, so that is found only against a head recorded earlier (<c>expectedHead</c>), which must
/// still be an entry's hash.
/// </summary>
public static class AuditChain
{
    /// <summary>Walks the entries in the order given and reports the first break.</summary>
    public static async Task<AuditVerification> VerifyAsync(IAsyncEnumerable<AuditEntry> entries, string? expectedHead = null, CancellationToken ct = default)
    {
        var walk = new Walk(expectedHead);
        await foreach (var entry in entries.WithCancellation(ct).ConfigureAwait(false))
            if (walk.Step(entry) is { } broken) return walk.Result(broken);
        return walk.Result(null);
    }

    /// <summary>Walks the entries in the order given and reports the first break.</summary>
    public static AuditVerification Verify(IEnumerable<AuditEntry> entries, string? expectedHead = null)
    {
        var walk = new Walk(expectedHead);
        foreach (var entry in entries)
            if (walk.Step(entry) is { } broken) return walk.Result(broken);
        return walk.Result(null);
    }

    private sealed class Walk(string? expectedHead)
    {
        private readonly string? _expectedHead = expectedHead?.Trim().ToLowerInvariant();
        private long _count;
        private long _lastSequence;
        private string _head = AuditEntry.GenesisHash;
        private bool _headSeen;

        public AuditBreak? Step(AuditEntry entry)
        {
            var expected = _lastSequence + 1;
            if (entry.Compute() != entry.Hash)
                return new(entry.Sequence, AuditBreakKind.Edited, $"entry {entry.Sequence} was edited: its fields do not give its stored hash");
            if (entry.Sequence > expected)
                return new(expected, AuditBreakKind.Missing, expected == entry.Sequence - 1
                    ? $"entry {expected} is missing (removed): entry {_lastSequence} is followed by entry {entry.Sequence}"
                    : $"entries {expected} to {entry.Sequence - 1} are missing (removed): entry {_lastSequence} is followed by entry {entry.Sequence}");
            if (entry.Sequence < expected)
                return new(entry.Sequence, AuditBreakKind.OutOfOrder, $"entry {entry.Sequence} comes after entry {_lastSequence}: entries were reordered or duplicated");
            if (entry.PreviousHash != _head)
                return new(entry.Sequence, AuditBreakKind.Unlinked,
                    $"entry {entry.Sequence} does not link to the hash of entry {_lastSequence}: an entry before it was rewritten, or entries were removed and renumbered");
            _count++;
            _lastSequence = entry.Sequence;
            _head = entry.Hash;
            _headSeen |= _head == _expectedHead;
            return null;
        }

        public AuditVerification Result(AuditBreak? broken)
        {
            if (broken is null && _expectedHead is not null && !_headSeen && _expectedHead != AuditEntry.GenesisHash)
                broken = new(_lastSequence, AuditBreakKind.HeadNotFound,
                    $"the expected head {_expectedHead} is not in the chain (last entry {_lastSequence}): newer entries were cut off or rewritten");
            return new(_count, _head, broken);
        }
    }
}
