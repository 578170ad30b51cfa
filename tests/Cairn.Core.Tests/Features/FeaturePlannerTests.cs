using Cairn.Features;

namespace Cairn.Core.Tests.Features;

public class FeaturePlannerTests
{
    [Fact]
    public void AFirstApply_AddsEverything_AndTheSameRepositoryAgain_ChangesNothing()
    {
        var repository = Airports.Repository();

        var first = FeaturePlanner.Plan(FeatureRepository.Empty, repository);
        var again = FeaturePlanner.Plan(repository, Airports.Repository());

        Assert.Equal([(FeaturePlanner.Entity, "airport"), (FeaturePlanner.Source, "flights"), (FeaturePlanner.View, "airport_delays"), (FeaturePlanner.Service, "delay_v1")],
            first.Changes.Select(c => (c.Kind, c.Name)));
        Assert.All(first.Changes, c => Assert.Equal(FeatureChangeKind.Add, c.Change));
        Assert.True(again.IsEmpty);
        Assert.Empty(again.Incompatibilities);
    }

    [Fact]
    public void AddingAFeature_AndChangingTheTtl_AreCompatibleChanges_WithTheirDetails()
    {
        var registered = Airports.Repository();
        var view = Airports.View(new FeatureField("avg_delay_7d", FeatureType.Double), new FeatureField("flights_7d", FeatureType.Int64),
            new FeatureField("cancelled_share", FeatureType.Double)) with { Ttl = TimeSpan.FromDays(3) };

        var plan = FeaturePlanner.Plan(registered, Airports.Repository(view: view));

        var change = Assert.Single(plan.Changes);
        Assert.Equal((FeaturePlanner.View, "airport_delays", FeatureChangeKind.Change), (change.Kind, change.Name, change.Change));
        Assert.Equal(["+ feature cancelled_share (double)", "ttl 7d -> 3d"], change.Details);
        Assert.Empty(plan.Incompatibilities);
        plan.EnsureApplicable(force: false);
    }

    [Fact]
    public void RetypingAFeatureAServiceUses_IsIncompatible_NamingTheService_UnlessForced()
    {
        var view = Airports.View(new FeatureField("avg_delay_7d", FeatureType.Int64), new FeatureField("flights_7d", FeatureType.Int64));

        var plan = FeaturePlanner.Plan(Airports.Repository(), Airports.Repository(view: view));

        Assert.Equal(["airport_delays:avg_delay_7d changes type double -> int64, and service 'delay_v1' uses it"], plan.Incompatibilities);
        Assert.Contains("service 'delay_v1'", Assert.Throws<CairnException>(() => plan.EnsureApplicable(force: false)).Message);
        plan.EnsureApplicable(force: true);
    }

    [Fact]
    public void RemovingAFeatureAServiceUsed_IsIncompatible_ButRemovingAnUnusedOneIsNot()
    {
        var registered = Airports.Repository();
        var withoutUsed = Airports.Repository(view: Airports.View(new FeatureField("flights_7d", FeatureType.Int64)),
            service: Airports.Service("airport_delays:flights_7d"));
        var withoutUnused = Airports.Repository(view: Airports.View(new FeatureField("avg_delay_7d", FeatureType.Double)));

        Assert.Equal(["airport_delays:avg_delay_7d is removed, and service 'delay_v1' uses it"], FeaturePlanner.Plan(registered, withoutUsed).Incompatibilities);
        var unused = FeaturePlanner.Plan(registered, withoutUnused);
        Assert.Empty(unused.Incompatibilities);
        Assert.Equal(["- feature flights_7d"], Assert.Single(unused.Changes).Details);
    }

    [Fact]
    public void RemovingAViewAndItsService_IsIncompatible_AndRetypingAJoinKeyIsToo()
    {
        var registered = Airports.Repository();
        var nothing = new FeatureRepository([Airports.Entity()], [Airports.Source()], [], []);
        var numericKeys = Airports.Repository(entity: Airports.Entity(FeatureType.Int64));

        var removed = FeaturePlanner.Plan(registered, nothing);
        var retyped = FeaturePlanner.Plan(registered, numericKeys);

        Assert.Equal(["the view 'airport_delays' is removed, and service 'delay_v1' uses airport_delays:avg_delay_7d"], removed.Incompatibilities);
        Assert.Equal([FeatureChangeKind.Remove, FeatureChangeKind.Remove], removed.Changes.Select(c => c.Change));
        Assert.Equal(["the join key 'Origin' of entity 'airport' changes type string -> int64, and service 'delay_v1' uses airport_delays:avg_delay_7d"], retyped.Incompatibilities);
        Assert.Equal(["join key Origin: string -> int64"], Assert.Single(retyped.Changes).Details);
    }

    [Fact]
    public void AnInvalidProposal_IsRefusedBeforePlanning() =>
        Assert.Throws<CairnException>(() => FeaturePlanner.Plan(FeatureRepository.Empty, Airports.Repository(service: Airports.Service("airport_delays:missing"))));
}
