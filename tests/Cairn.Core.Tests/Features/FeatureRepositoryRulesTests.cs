using Cairn.Features;

namespace Cairn.Core.Tests.Features;

public class FeatureRepositoryRulesTests
{
    [Fact]
    public void AValidRepository_Passes() => FeatureRepositoryRules.Validate(Airports.Repository());

    public static TheoryData<FeatureRepository, string> Invalid() => new()
    {
        { Airports.Repository(view: Airports.View() with { Name = "delays; DROP TABLE x" }), "Invalid name 'delays; DROP TABLE x'" },
        { Airports.Repository(view: Airports.View() with { Entities = ["runway"] }), "names the entity 'runway', which is not defined" },
        { Airports.Repository(view: Airports.View() with { Source = "nowhere" }), "reads the source 'nowhere', which is not defined" },
        { Airports.Repository(view: Airports.View(new FeatureField("x", FeatureType.Double), new FeatureField("X", FeatureType.Int64))), "two of feature of feature view 'airport_delays' named 'X'" },
        { Airports.Repository(view: Airports.View(new FeatureField("Origin", FeatureType.Double))), "has the name of a join key or of the timestamp field" },
        { Airports.Repository(view: Airports.View() with { Ttl = TimeSpan.Zero }), "ttl of feature view 'airport_delays' must be positive" },
        { Airports.Repository(view: Airports.View() with { Features = [] }), "needs at least one feature" },
        { Airports.Repository(service: Airports.Service("airport_delays:nope")), "has no feature 'nope' (it has avg_delay_7d, flights_7d)" },
        { Airports.Repository(service: Airports.Service("other:avg_delay_7d")), "there is no feature view 'other'" },
        { Airports.Repository(service: Airports.Service("airport_delays:avg_delay_7d", "airport_delays:avg_delay_7d")), "lists airport_delays:avg_delay_7d twice" },
        { Airports.Repository(entity: Airports.Entity(FeatureType.Double)), "join keys are int64 or string" },
        { Airports.Repository(entity: new EntityDefinition("airport", [])), "needs at least one join key" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AnInvalidRepository_IsRefusedNamingWhatIsWrong(FeatureRepository repository, string message)
    {
        var error = Assert.Throws<CairnException>(() => FeatureRepositoryRules.Validate(repository));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(message, error.Message);
    }

    public static TheoryData<FeatureSourceDefinition, string> InvalidSources() => new()
    {
        { new("s", "kafka", "t", Path: "x"), "kind 'kafka'" },
        { new("s", FeatureSourceKinds.File, "t"), "it needs a path" },
        { new("s", FeatureSourceKinds.File, "t", Path: "x", Query: "SELECT 1"), "a query belongs to a query source" },
        { new("s", FeatureSourceKinds.File, "t", Path: "a\0b"), "without NUL" },
        { new("s", FeatureSourceKinds.Postgres, "t", Table: "public.flights; --", Connection: "PG"), "Invalid name 'flights; --'" },
        { new("s", FeatureSourceKinds.Postgres, "t", Table: "db.public.flights", Connection: "PG"), "write schema.table" },
        { new("s", FeatureSourceKinds.Postgres, "t", Table: "public.flights"), "it needs a connection, the name of the environment variable" },
        { new("s", FeatureSourceKinds.Postgres, "t", Table: "flights", Connection: "Host=db;Password=secret"), "never the connection string itself" },
        { new("s", FeatureSourceKinds.Dataset, "t", Dataset: "data:/flights"), "must name a version" },
        { new("s", FeatureSourceKinds.Dataset, "t", Dataset: "s3://bucket/flights"), "is not a dataset URI" },
        { new("s", FeatureSourceKinds.File, "event time", Path: "x"), "Invalid name 'event time'" },
    };

    [Theory]
    [MemberData(nameof(InvalidSources))]
    public void AnInvalidSource_IsRefused(FeatureSourceDefinition source, string message)
    {
        var repository = new FeatureRepository([Airports.Entity()], [source], [], []);

        Assert.Contains(message, Assert.Throws<CairnException>(() => FeatureRepositoryRules.Validate(repository)).Message);
    }

    [Theory]
    [InlineData("airport_delays:avg_delay_7d", "airport_delays", "avg_delay_7d")]
    [InlineData(" v : f ", "v", "f")]
    public void FeatureReference_ParsesViewColonFeature(string text, string view, string feature) =>
        Assert.Equal(new FeatureReference(view, feature), FeatureReference.Parse(text));

    [Theory]
    [InlineData("no_colon")]
    [InlineData(":f")]
    [InlineData("v:")]
    [InlineData("a:b:c")]
    [InlineData(null)]
    public void FeatureReference_WithoutOneColonBetweenTwoNames_IsRefused(string? text) =>
        Assert.Contains("view:feature", Assert.Throws<CairnException>(() => FeatureReference.Parse(text)).Message);
}
