namespace Cairn.Features.Tests;

/// <summary>Feature definitions read from YAML: Feast's shape, several files, and every kind of bad file refused with its name and line.</summary>
public sealed class FeatureRepositoryYamlTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string Entities = """
        entities:
          - name: origin_airport
            join_keys: [{name: Origin, type: string}]
            description: where a flight leaves from
        sources:
          - name: flights
            path: data/flights.parquet
            timestamp_field: event_time
          - name: recent
            kind: query
            query: SELECT * FROM 'x.parquet'
            timestamp_field: ts
        """;

    private const string Views = """
        feature_views:
          - name: airport_delays
            entities: [origin_airport]
            source: flights
            ttl: 7d
            online: false
            features:
              - {name: avg_delay_7d, type: double}
              - {name: flights_7d, type: int64, description: count}
            transformation: "SELECT Origin, event_time, 1.0 AS avg_delay_7d, 1 AS flights_7d FROM source"
        feature_services:
          - name: delay_v1
            features: [airport_delays:avg_delay_7d, "airport_delays:flights_7d"]
        """;

    private static string Refused(string yaml)
    {
        var error = Assert.Throws<CairnException>(() => FeatureRepositoryYaml.Parse(yaml, "features/bad.yaml"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.StartsWith("features/bad.yaml", error.Message);
        return error.Message;
    }

    [Fact]
    public void Load_FolderOfFiles_ReadsEveryDefinitionIntoOneRepository()
    {
        File.WriteAllText(_folder.File("a_entities.yaml"), Entities);
        File.WriteAllText(_folder.File("b_views.yml"), Views);
        File.WriteAllText(_folder.File("notes.txt"), "not: [definitions");

        var repository = FeatureRepositoryYaml.Load(_folder.Path);

        var entity = Assert.Single(repository.Entities);
        Assert.Equal(new FeatureField("Origin", FeatureType.String), Assert.Single(entity.JoinKeys));
        Assert.Equal("where a flight leaves from", entity.Description);
        Assert.Equal(new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet"), repository.Sources[0]);
        Assert.Equal((FeatureSourceKinds.Query, "SELECT * FROM 'x.parquet'"), (repository.Sources[1].Kind, repository.Sources[1].Query));
        var view = Assert.Single(repository.Views);
        Assert.Equal(("airport_delays", "flights", TimeSpan.FromDays(7), false), (view.Name, view.Source, view.Ttl, view.Online));
        Assert.Equal(["origin_airport"], view.Entities);
        Assert.Equal([new FeatureField("avg_delay_7d", FeatureType.Double), new FeatureField("flights_7d", FeatureType.Int64, "count")], view.Features);
        Assert.StartsWith("SELECT Origin", view.Transformation);
        var service = Assert.Single(repository.Services);
        Assert.Equal([new FeatureReference("airport_delays", "avg_delay_7d"), new FeatureReference("airport_delays", "flights_7d")], service.Features);
    }

    [Fact]
    public void Parse_SeveralDocumentsAndDefaults_AddUp()
    {
        var repository = FeatureRepositoryYaml.Parse(Entities + "\n---\n" + Views.Replace("    ttl: 7d\n", "").Replace("    online: false\n", "") + "\n---\n", "f.yaml");
        Assert.Equal((null, true), (repository.Views[0].Ttl, repository.Views[0].Online));
    }

    [Fact]
    public void Load_NothingThere_IsNotFound()
    {
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, Assert.Throws<CairnException>(() => FeatureRepositoryYaml.Load(_folder.File("missing"))).ErrorCode);
        Assert.Contains("no feature definitions", Assert.Throws<CairnException>(() => FeatureRepositoryYaml.Load(_folder.Path)).Message);
    }

    [Fact]
    public void Load_FileOverTheLimit_IsRefusedBeforeReading()
    {
        var path = _folder.File("huge.yaml");
        using (var file = File.Create(path)) file.SetLength(FeatureRepositoryYaml.MaxFileBytes + 1);
        var error = Assert.Throws<CairnException>(() => FeatureRepositoryYaml.Load(path));
        Assert.Contains("at most", error.Message);
        Assert.Contains("huge.yaml", error.Message);
    }

    [Fact]
    public void Parse_UnknownKey_NamesItAndTheLine()
    {
        var message = Refused(Entities.Replace("timestamp_field: event_time", "timestamp_feild: event_time"));
        Assert.Contains("features/bad.yaml:8:", message);
        Assert.Contains("'timestamp_feild' is not a key of a source", message);
        Assert.Contains("'nonsense' is not a key of a definitions file", Refused("nonsense: 1"));
    }

    [Fact]
    public void Parse_DuplicateKey_IsRefused() =>
        Assert.Contains("features/bad.yaml:3: not valid YAML: Duplicate key", Refused("entities:\n  - name: a\n    name: b\n    join_keys: [{name: k, type: string}]\n"));

    [Theory]
    [InlineData("entities: origin_airport", "'entities' must be a list")]
    [InlineData("entities:\n  - name: [a, b]\n    join_keys: [{name: k, type: string}]", "must be a single value")]
    [InlineData("entities:\n  - name: a\n    join_keys: [{name: k, type: decimal}]", "unknown type 'decimal'")]
    [InlineData("entities:\n  - name: a", "needs 'join_keys'")]
    [InlineData("entities:\n  - just a name", "must be a mapping")]
    public void Parse_WrongShapeOrType_SaysWhatIsExpected(string yaml, string expected) => Assert.Contains(expected, Refused(yaml));

    [Theory]
    [InlineData("ttl: 7d", "ttl: a week", "Invalid ttl")]
    [InlineData("online: false", "online: maybe", "must be true or false")]
    [InlineData("[airport_delays:avg_delay_7d, \"airport_delays:flights_7d\"]", "[airport_delays]", "not a feature reference")]
    [InlineData("entities: [origin_airport]", "entities: [nowhere]", "the entity 'nowhere', which is not defined")]
    public void Parse_BadValueInAView_IsRefusedNamingTheFile(string good, string bad, string expected) =>
        Assert.Contains(expected, Refused(Entities + "\n" + Views.Replace(good, bad)));

    [Fact]
    public void Parse_SourceWithoutALocation_AsksForOne() =>
        Assert.Contains("needs one of 'path', 'query'", Refused("sources:\n  - name: s\n    timestamp_field: t\n"));

    [Fact]
    public void Parse_AliasBomb_IsRefusedWithoutExpanding()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(0, 20).Select(i =>
            $"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}]\n"));
        Assert.Contains("anchors (&a) are not supported", Refused(bomb));
        Assert.Contains("aliases (*x) are not supported", Refused("entities:\n  - *x\n"));
    }

    [Fact]
    public void Parse_DeepNesting_IsRefused() =>
        Assert.Contains("nested more than", Refused("entities: " + new string('[', 10_000) + new string(']', 10_000)));

    [Fact]
    public void Parse_NotYaml_NamesTheLine() =>
        Assert.Contains("features/bad.yaml:3: not valid YAML", Refused("entities:\n  - {name: a\n"));
}
