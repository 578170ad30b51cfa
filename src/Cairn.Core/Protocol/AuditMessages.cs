using Cairn.Security;

namespace Cairn.Protocol;

/// <summary>The answer of <c>GET /api/2.0/cairn/audit/list</c>: audit entries, newest first.</summary>
public sealed record AuditListResponse(IReadOnlyList<AuditEntry> Entries);
