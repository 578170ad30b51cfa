using System.Net;
using System.Net.Sockets;

namespace Cairn.Features.Tests;

/// <summary>PostgreSQL sources, read from a real server: the same results as the same rows in Parquet, the interval pushed down, clear errors.</summary>
public sealed class PostgresSourceTests : IDisposable
{
    private const string Secret = "Sup3r-Secret-Pa55";
    private static readonly DateTimeOffset Day = new(RandomScenario.Start);
    private readonly TempFolder _folder = new();
    private readonly PostgresTables _pg = new();

    public void Dispose()
    {
        _pg.Dispose();
        _folder.Dispose();
    }

    /// <summary>The random scenario's two tables, also in PostgreSQL (other integer and timestamp types, and a column no view declares), and the repository reading them there.</summary>
    private (RandomScenario Scenario, FeatureRepository Postgres) Scenario(int seed, string routesTable = "public.routes")
    {
        var scenario = RandomScenario.Create(seed, _folder.Path);
        _pg.Create("routes", [("origin", "text"), ("carrier", "integer"), ("ts", "timestamptz"), ("avg_delay", "double precision"), ("flights", "bigint"), ("observed_at", "timestamp"), ("note", "jsonb")],
            scenario.Routes.Select(r => new object?[] { r.Keys[0], r.Keys[1], r.Time, r.Values[0], r.Values[1], r.Values[2], null }));
        _pg.Create("airports", [("origin", "varchar(10)"), ("updated", "timestamp"), ("status", "text"), ("busy", "boolean")],
            scenario.Airports.Select(r => new object?[] { r.Keys[0], r.Time, r.Values[0], r.Values[1] }));
        var postgres = scenario.Repository with
        {
            Sources = [new("routes", FeatureSourceKinds.Postgres, "ts", Table: routesTable, Connection: _pg.Variable),
                       new("airports", FeatureSourceKinds.Postgres, "updated", Table: "airports", Connection: _pg.Variable)],
        };
        return (scenario, postgres);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task JoinAsync_FromPostgres_EqualsTheSameRowsFromParquet(int seed)
    {
        var (scenario, postgres) = Scenario(seed);

        await PointInTimeJoiner.JoinAsync(scenario.Repository, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("from-files.parquet"));
        var result = await PointInTimeJoiner.JoinAsync(postgres, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("from-postgres.parquet"));

        var (fileColumns, fileRows) = Tables.Read(_folder.File("from-files.parquet"));
        var (columns, rows) = Tables.Read(_folder.File("from-postgres.parquet"));
        Assert.Equal(fileColumns, columns);
        Assert.Equal(fileRows.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++) Assert.True(fileRows[i].SequenceEqual(rows[i]), $"row {i}: from files [{string.Join(", ", fileRows[i])}], from PostgreSQL [{string.Join(", ", rows[i])}]");
        var expected = scenario.Expected();
        for (var i = 0; i < rows.Count; i++) Assert.True(expected[i].SequenceEqual(rows[i]), $"row {i} differs from the reference");
        Assert.True(result.Features.Any(f => f.Nulls < rows.Count), "some feature values were found");
    }

    [Fact]
    public async Task Materialize_FromPostgres_EqualsTheSameRowsFromParquet()
    {
        var (scenario, postgres) = Scenario(5);
        var (fromFiles, fromPostgres) = (new MemoryOnlineStore(), new MemoryOnlineStore());

        await FeatureMaterializer.MaterializeAsync(scenario.Repository, fromFiles, null, Day.AddDays(3), Day.AddDays(12));
        var results = await FeatureMaterializer.MaterializeAsync(postgres, fromPostgres, null, Day.AddDays(3), Day.AddDays(12));

        foreach (var view in new[] { "route_stats", "airport_info" })
        {
            Assert.NotEmpty(fromPostgres.Dump(view));
            Assert.Equal(fromFiles.Dump(view), fromPostgres.Dump(view));
        }
        Assert.All(results, r => Assert.True(r.NewestEventTime < Day.AddDays(12) && r.NewestEventTime >= Day.AddDays(3)));
    }

    [Fact]
    public async Task Materialize_RunsTheIntervalFilterInPostgres()
    {
        var (_, postgres) = Scenario(6, routesTable: "guarded_routes");
        // Reading any row before March 5 divides by zero in PostgreSQL: only a filter applied there keeps them out.
        _pg.Execute("CREATE VIEW guarded_routes AS SELECT origin, carrier, ts, avg_delay / CASE WHEN ts < '2024-03-05T00:00:00Z' THEN 0 ELSE 1 END AS avg_delay, flights, observed_at FROM routes");
        var store = new MemoryOnlineStore();

        var unbounded = await Assert.ThrowsAsync<CairnException>(() => FeatureStatistics.ComputeAsync(postgres, "route_stats"));
        var result = await FeatureMaterializer.MaterializeAsync(postgres, store, ["route_stats"], Day.AddDays(5), Day.AddDays(9));

        Assert.Contains("division by zero", unbounded.Message);
        Assert.True(Assert.Single(result).Written > 0);
    }

    /// <summary>A small table: flights per origin, with a column no view declares.</summary>
    private FeatureRepository Flights(string table = "public.flights", string? transformation = null, string? connection = null) => new(
        [new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
        [new FeatureSourceDefinition("flights", FeatureSourceKinds.Postgres, "ts", Table: table, Connection: connection ?? _pg.Variable)],
        [new FeatureViewDefinition("delays", ["airport"], "flights", [new FeatureField("delay", FeatureType.Double), new FeatureField("flights", FeatureType.Int64)], Transformation: transformation)],
        []);

    private void CreateFlights(string table = "flights") => _pg.Create(table, [("origin", "text"), ("ts", "timestamptz"), ("delay", "numeric(6,2)"), ("flights", "smallint"), ("hub", "boolean"), ("day", "date")],
        [["SEA", Day.UtcDateTime.AddHours(1), 10.5m, (short)3, true, new DateOnly(2024, 3, 1)], ["SEA", Day.UtcDateTime.AddHours(2), 20.25m, (short)4, false, new DateOnly(2024, 3, 1)],
         ["JFK", Day.UtcDateTime.AddHours(1), null, (short)7, true, new DateOnly(2024, 3, 1)]]);

    [Fact]
    public async Task Transformation_ReadsColumnsTheViewDoesNotDeclare_DatesIncluded_AndNarrowTypesAreWidened()
    {
        CreateFlights();
        var repository = Flights(transformation: "SELECT origin, CAST(day AS TIMESTAMP) + INTERVAL 1 HOUR AS ts, delay * 2 AS delay, flights FROM source WHERE hub");
        var store = new MemoryOnlineStore();

        await FeatureMaterializer.MaterializeAsync(repository, store, null, Day, Day.AddDays(1));

        Assert.Equal(["JFK @2024-03-01T01:00:00.0000000+00:00: delay=null, flights=7", "SEA @2024-03-01T01:00:00.0000000+00:00: delay=21, flights=3"], store.Dump("delays"));
    }

    [Fact]
    public async Task TableNames_AreResolvedAsPostgresDoes_AndQuoted()
    {
        CreateFlights("\"order\""); // a reserved word: it reads only when quoted
        var store = new MemoryOnlineStore();

        await FeatureMaterializer.MaterializeAsync(Flights(table: "public.order"), store, null, Day, Day.AddDays(1));
        var injected = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(Flights(table: "public.order; DROP TABLE \"order\""), store, null, Day, Day.AddDays(1)));

        Assert.Equal(2, store.Count("delays"));
        Assert.Contains("Invalid name", injected.Message);
        await FeatureMaterializer.MaterializeAsync(Flights(table: "PUBLIC.ORDER"), store, null, Day, Day.AddDays(1)); // still there; unquoted names fold to lower case
    }

    [Fact]
    public async Task SchemaChanges_AreRefusedBeforeAnyWrite()
    {
        CreateFlights();
        var store = new MemoryOnlineStore();

        _pg.Execute("ALTER TABLE flights ALTER COLUMN flights TYPE text");
        var retyped = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(Flights(), store, null, Day, Day.AddDays(1)));
        _pg.Execute("ALTER TABLE flights DROP COLUMN delay");
        var dropped = await Assert.ThrowsAsync<CairnException>(() => PointInTimeJoiner.JoinAsync(Flights(), [new("delays", "delay")], WriteEntities(), _folder.File("train.parquet")));

        Assert.Contains("feature column 'flights' is VARCHAR, but the definition declares int64", retyped.Message);
        Assert.Contains("has no feature column 'delay'", dropped.Message);
        Assert.Contains("its columns: origin, ts, flights, hub, day", dropped.Message);
        Assert.Empty(store.Writes);
        Assert.False(File.Exists(_folder.File("train.parquet")));
    }

    private string WriteEntities()
    {
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", Day.UtcDateTime.AddHours(5)]]);
        return _folder.File("entities.parquet");
    }

    [Fact]
    public async Task ConnectionProblems_AreClear_AndNeverShowTheConnectionString()
    {
        CreateFlights();
        var unset = "CAIRN_TEST_PG_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var variables = new List<string>();
        string Variable(string value)
        {
            var name = "CAIRN_TEST_PG_BAD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
            Environment.SetEnvironmentVariable(name, value);
            variables.Add(name);
            return name;
        }
        async Task<string> Refused(FeatureRepository repository) =>
            (await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(repository, new MemoryOnlineStore(), null, Day, Day.AddDays(1)))).Message;
        try
        {
            var closedPort = ClosedPort();
            var noVariable = await Refused(Flights(connection: unset));
            var noServer = await Refused(Flights(connection: Variable($"Host=127.0.0.1;Port={closedPort};Username=cairn;Password={Secret};Database=x;Timeout=5")));
            var noDatabase = await Refused(Flights(connection: Variable($"postgresql://cairn:{Secret}@127.0.0.1:{Testing.PostgresServer.Instance.Port}/no_such_database")));
            var unreadable = await Refused(Flights(connection: Variable($"Host=127.0.0.1;Passwort={Secret}")));
            var noTable = await Refused(Flights(table: "public.no_such_table"));

            Assert.Contains($"environment variable {unset}, which is not set", noVariable);
            Assert.Contains("PostgreSQL table public.flights", noServer);
            Assert.Contains("no_such_database", noDatabase);
            Assert.Contains("does not hold a PostgreSQL connection string", unreadable);
            Assert.Contains("there is no PostgreSQL table public.no_such_table", noTable);
            foreach (var message in new[] { noVariable, noServer, noDatabase, unreadable, noTable })
            {
                Assert.DoesNotContain(Secret, message);
                Assert.DoesNotContain(_pg.ConnectionString, message);
                Assert.Contains("Source 'flights' of feature view 'delays'", message);
            }
        }
        finally
        {
            foreach (var name in variables) Environment.SetEnvironmentVariable(name, null);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
