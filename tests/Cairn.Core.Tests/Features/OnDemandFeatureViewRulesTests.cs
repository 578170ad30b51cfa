using Cairn.Features;

namespace Cairn.Core.Tests.Features;

/// <summary>On-demand feature views in the rules and the planner: inputs resolve, names are identifiers and never collide, services may use them.</summary>
public class OnDemandFeatureViewRulesTests
{
    private static OnDemandFeatureViewDefinition Ratio() => new("delay_ratios",
        [new FeatureField("scheduled_minutes", FeatureType.Int64)], [FeatureReference.Parse("airport_delays:avg_delay_7d")],
        [new FeatureField("delay_ratio", FeatureType.Double)], "delay_ratio");

    private static FeatureRepository With(OnDemandFeatureViewDefinition view, params string[] service) =>
        Airports.Repository(service: Airports.Service(service.Length > 0 ? service : ["airport_delays:avg_delay_7d", "delay_ratios:delay_ratio"])) with { OnDemandViews = [view] };

    [Fact]
    public void AnOnDemandView_UsedByAService_Passes() => FeatureRepositoryRules.Validate(With(Ratio()));

    public static TheoryData<FeatureRepository, string> Invalid() => new()
    {
        { With(Ratio() with { Inputs = [FeatureReference.Parse("nowhere:avg_delay_7d")] }), "reads nowhere:avg_delay_7d, but there is no feature view 'nowhere'" },
        { With(Ratio() with { Inputs = [FeatureReference.Parse("airport_delays:nope")] }), "the view 'airport_delays' has no feature 'nope'" },
        { With(Ratio() with { Name = "delay ratios" }), "Invalid name 'delay ratios'" },
        { With(Ratio() with { Function = "x; rm -rf" }), "Invalid name 'x; rm -rf' for the function" },
        { With(Ratio() with { Features = [new("delay_ratio", FeatureType.Double), new("DELAY_RATIO", FeatureType.Double)] }), "two of feature of on-demand feature view 'delay_ratios'" },
        { With(Ratio() with { Features = [new("scheduled_minutes", FeatureType.Double)] }), "has the name of its request field 'scheduled_minutes'" },
        { With(Ratio() with { Features = [new("avg_delay_7d", FeatureType.Double)] }), "has the name of its input airport_delays:avg_delay_7d" },
        { With(Ratio() with { RequestFields = [new("avg_delay_7d", FeatureType.Double)] }), "which its function would see under one name 'avg_delay_7d'" },
        { With(Ratio() with { RequestFields = [new("Origin", FeatureType.String)] }), "has the name of a join key" },
        { With(Ratio() with { RequestFields = [], Inputs = [] }), "has nothing to compute from" },
        { With(Ratio() with { Features = [] }), "needs at least one feature" },
        { With(Ratio() with { Name = "airport_delays" }, "airport_delays:avg_delay_7d"), "names both a feature view and an on-demand feature view" },
        { With(Ratio(), "delay_ratios:nope"), "the view 'delay_ratios' has no feature 'nope' (it has delay_ratio)" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AnInvalidOnDemandView_IsRefusedNamingWhatIsWrong(FeatureRepository repository, string message)
    {
        var error = Assert.Throws<CairnException>(() => FeatureRepositoryRules.Validate(repository));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Plan_ListsAnOnDemandViewAddedThenChanged_WithWhatDiffers()
    {
        var added = FeaturePlanner.Plan(Airports.Repository(), With(Ratio()));
        var changed = FeaturePlanner.Plan(With(Ratio()), With(Ratio() with
        {
            Function = "delay_ratio_v2", Features = [new("delay_ratio", FeatureType.Double), new("late", FeatureType.Bool)],
            Inputs = [FeatureReference.Parse("airport_delays:avg_delay_7d"), FeatureReference.Parse("airport_delays:flights_7d")],
        }));

        Assert.Contains(added.Changes, c => c is { Kind: FeatureDefinitionKinds.OnDemandView, Name: "delay_ratios", Change: FeatureChangeKind.Add });
        var change = Assert.Single(changed.Changes);
        Assert.Equal((FeatureDefinitionKinds.OnDemandView, FeatureChangeKind.Change), (change.Kind, change.Change));
        Assert.Equal(["+ feature late (bool)", "+ input airport_delays:flights_7d", "function delay_ratio -> delay_ratio_v2"], change.Details);
        Assert.Empty(changed.Incompatibilities);
    }

    [Fact]
    public void Plan_RemovingOrRetypingAnOnDemandFeatureAServiceUses_IsIncompatible()
    {
        var registered = With(Ratio());
        var removed = Airports.Repository(service: Airports.Service("airport_delays:avg_delay_7d"));
        var retyped = With(Ratio() with { Features = [new("delay_ratio", FeatureType.String)] });

        Assert.Contains("the on-demand view 'delay_ratios' is removed, and service 'delay_v1' uses delay_ratios:delay_ratio", FeaturePlanner.Plan(registered, removed).Incompatibilities);
        Assert.Contains("delay_ratios:delay_ratio changes type double -> string, and service 'delay_v1' uses it", FeaturePlanner.Plan(registered, retyped).Incompatibilities);
    }
}
