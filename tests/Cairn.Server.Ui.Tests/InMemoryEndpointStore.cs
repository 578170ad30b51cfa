using Cairn.Deployments;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// An endpoint store in memory for the page tests: it keeps what it is given and lists events
/// newest first, as the interface says. It checks nothing (no spec rules, no revision check beyond
/// the compare-and-set), so a test can store what the SQL stores would refuse (a name with markup,
/// a canary in any state) and see how the pages show it.
/// </summary>
public sealed class InMemoryEndpointStore : IEndpointStore
{
    private readonly Dictionary<string, EndpointRecord> _endpoints = new(StringComparer.Ordinal);
    private readonly List<EndpointEvent> _events = [];
    private readonly Lock _lock = new();

    /// <summary>Stores <paramref name="record"/> as it is, replacing any endpoint of its name.</summary>
    public void Put(EndpointRecord record)
    {
        lock (_lock) _endpoints[record.Name] = record;
    }

    public void AddEvent(string endpoint, int revision, long time, string kind, string message, string actor)
    {
        lock (_lock) _events.Add(new EndpointEvent(Guid.NewGuid().ToString("N"), endpoint, revision, time, kind, message, actor));
    }

    public Task<EndpointRecord> CreateEndpointAsync(EndpointSpec spec, string actor, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_endpoints.ContainsKey(spec.Name)) throw CairnException.AlreadyExists($"Endpoint '{spec.Name}' already exists.");
            var record = _endpoints[spec.Name] = new EndpointRecord(spec, 1, 1_760_000_000_000L, 1_760_000_000_000L);
            AddEvent(spec.Name, 1, record.CreationTime, EndpointEventKinds.Created, "created", actor);
            return Task.FromResult(record);
        }
    }

    public Task<EndpointRecord> GetEndpointAsync(string name, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Get(name));
    }

    private EndpointRecord Get(string name) =>
        _endpoints.TryGetValue(name, out var endpoint) ? endpoint : throw CairnException.NotFound($"No endpoint named '{name}'.");

    public Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<EndpointRecord>>(_endpoints.Values.ToList());
    }

    public Task<EndpointRecord> UpdateEndpointAsync(EndpointSpec spec, int expectedRevision, EndpointChange change, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var current = Get(spec.Name);
            if (current.Revision != expectedRevision) throw CairnException.InvalidState($"Endpoint '{spec.Name}' changed since revision {expectedRevision}.");
            var record = _endpoints[spec.Name] = current with { Spec = spec, Revision = current.Revision + 1 };
            AddEvent(spec.Name, record.Revision, record.UpdateTime, change.Kind, change.Message, change.Actor);
            return Task.FromResult(record);
        }
    }

    public Task DeleteEndpointAsync(string name, string actor, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var record = Get(name);
            _endpoints.Remove(name);
            AddEvent(name, record.Revision, record.UpdateTime, EndpointEventKinds.Deleted, "deleted", actor);
        }
        return Task.CompletedTask;
    }

    public Task AppendEndpointEventAsync(string name, EndpointChange change, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var record = Get(name);
            AddEvent(name, record.Revision, record.UpdateTime, change.Kind, change.Message, change.Actor);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<EndpointEvent>> ListEndpointEventsAsync(string name, int maxResults = 100, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<EndpointEvent>>(_events.Where(e => e.Endpoint == name).OrderByDescending(e => e.Time).Take(maxResults).ToList());
    }
}
