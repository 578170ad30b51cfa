using Cairn.Models.Explain;

namespace Cairn.Models.Tests.Explain;

/// <summary>
/// Exact TreeSHAP (interventional and path-dependent) against Shapley values computed by their
/// definition over every coalition, on seeded random ensembles with ties, NaN, categorical splits,
/// repeated features on a path and several slots grouped into one player; plus the Shapley axioms
/// (additivity, symmetry, dummy) and the errors bad input gets.
/// </summary>
public class TreeShapTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(0, 30)];

    /// <summary>A random explanation problem; the last vector slot is read by no split and is alone in the last group.</summary>
    private sealed record Case(TreeEnsemble Ensemble, List<float[]> Rows, List<float[]> Background, int[] GroupOf, int Groups)
    {
        public int DummyGroup => Groups - 1;

        public static Case Random(int seed)
        {
            var random = new Random(seed);
            var read = random.Next(2, 11);
            var featureCount = read + 1;
            var players = random.Next(1, read + 1);
            var groupOf = new int[featureCount];
            for (var f = 0; f < read; f++) groupOf[f] = f < players ? f : random.Next(players);
            groupOf[read] = players;
            var ensemble = RandomTrees.Ensemble(random, trees: random.Next(1, 5), read, featureCount, maxDepth: random.Next(1, 7));
            return new Case(ensemble, RandomTrees.Rows(random, 4, featureCount), RandomTrees.Rows(random, random.Next(1, 8), featureCount), groupOf, players + 1);
        }
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Interventional_equals_brute_force_and_adds_up(int seed)
    {
        var c = Case.Random(seed);
        var (baseValue, values) = TreeShap.Interventional(c.Ensemble, c.Rows, c.Background, c.GroupOf, c.Groups);

        Close(c.Background.Average(b => c.Ensemble.Predict(b)), baseValue, "base value");
        for (var r = 0; r < c.Rows.Count; r++)
        {
            var expected = BruteForceShapley.Explain(BruteForceShapley.InterventionalValue(c.Ensemble, c.Rows[r], c.Background, c.GroupOf), c.Groups);
            for (var g = 0; g < c.Groups; g++) Close(expected[g], values[r][g], $"row {r} group {g}");
            Close(c.Ensemble.Predict(c.Rows[r]), baseValue + values[r].Sum(), $"row {r} additivity");
            Assert.Equal(0.0, values[r][c.DummyGroup]);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Path_dependent_equals_brute_force_per_slot_summed_per_group_and_adds_up(int seed)
    {
        var c = Case.Random(seed);
        var random = new Random(seed + 1000);
        // Covers counted from a few rows leave nodes at 0; random covers do not add up over children.
        foreach (var ensemble in new[] { TreeCovers.FromData(c.Ensemble, RandomTrees.Rows(random, 6, c.Ensemble.FeatureCount)), RandomTrees.WithRandomCovers(random, c.Ensemble) })
        {
            var (baseValue, values) = TreeShap.PathDependent(ensemble, c.Rows, c.GroupOf, c.Groups);

            var slots = Enumerable.Range(0, ensemble.FeatureCount).ToArray();
            Close(BruteForceShapley.PathDependentValue(ensemble, c.Rows[0], slots)(new bool[slots.Length]), baseValue, "base value");
            for (var r = 0; r < c.Rows.Count; r++)
            {
                var perSlot = BruteForceShapley.Explain(BruteForceShapley.PathDependentValue(ensemble, c.Rows[r], slots), slots.Length);
                var expected = new double[c.Groups];
                for (var f = 0; f < slots.Length; f++) expected[c.GroupOf[f]] += perSlot[f];
                for (var g = 0; g < c.Groups; g++) Close(expected[g], values[r][g], $"row {r} group {g}");
                Close(ensemble.Predict(c.Rows[r]), baseValue + values[r].Sum(), $"row {r} additivity");
                Assert.Equal(0.0, values[r][c.DummyGroup]);
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(23)]
    public void Path_dependent_equals_brute_force_for_one_row_and_for_many(int seed)
    {
        // One row computes each leaf directly; hundreds of rows read per-leaf tables built once. Both must be exact.
        var random = new Random(seed);
        var data = RandomTrees.Rows(random, 50, 9);
        var ensemble = TreeCovers.FromData(RandomTrees.Ensemble(random, trees: 3, readFeatures: 8, featureCount: 9, maxDepth: 9), data);
        var slots = Enumerable.Range(0, 9).ToArray();
        var rows = RandomTrees.Rows(random, 300, 9);
        var many = TreeShap.PathDependent(ensemble, rows, slots, 9).Values;
        for (var r = 0; r < 5; r++)
        {
            var expected = BruteForceShapley.Explain(BruteForceShapley.PathDependentValue(ensemble, rows[r], slots), slots.Length);
            var one = TreeShap.PathDependent(ensemble, [rows[r]], slots, 9).Values[0];
            for (var f = 0; f < slots.Length; f++)
            {
                Close(expected[f], one[f], $"row {r} slot {f} alone");
                Close(expected[f], many[r][f], $"row {r} slot {f} in a batch");
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(29)]
    public void Path_dependent_with_one_slot_per_group_equals_the_grouped_game(int seed)
    {
        var c = Case.Random(seed);
        var ensemble = TreeCovers.FromData(c.Ensemble, c.Background);
        var slots = Enumerable.Range(0, ensemble.FeatureCount).ToArray();
        var (_, values) = TreeShap.PathDependent(ensemble, c.Rows, slots, slots.Length);
        for (var r = 0; r < c.Rows.Count; r++)
        {
            var expected = BruteForceShapley.Explain(BruteForceShapley.PathDependentValue(ensemble, c.Rows[r], slots), slots.Length);
            for (var f = 0; f < slots.Length; f++) Close(expected[f], values[r][f], $"row {r} slot {f}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Two_features_with_swapped_roles_get_equal_values(int seed)
    {
        // Every tree comes with its copy on features 0 and 1 swapped; x has x0 == x1 and the data is closed under the swap.
        var random = new Random(seed);
        var trees = Enumerable.Range(0, 3).Select(_ => RandomTrees.Tree(random, 4, 5)).ToList();
        var data = RandomTrees.Rows(random, 10, 4);
        data.AddRange(data.Select(d => new[] { d[1], d[0], d[2], d[3] }).ToList());
        var plain = new TreeEnsemble { Trees = [.. trees, .. trees.Select(t => RandomTrees.Swapped(t, 0, 1))], FeatureCount = 4 };
        var ensemble = TreeCovers.FromData(plain, data);
        var rows = RandomTrees.Rows(random, 6, 4);
        foreach (var row in rows) row[1] = row[0];
        int[] groupOf = [0, 1, 2, 3];

        var (_, interventional) = TreeShap.Interventional(ensemble, rows, data, groupOf, 4);
        var (_, pathDependent) = TreeShap.PathDependent(ensemble, rows, groupOf, 4);
        for (var r = 0; r < rows.Count; r++)
        {
            Close(interventional[r][0], interventional[r][1], $"interventional row {r}");
            Close(pathDependent[r][0], pathDependent[r][1], $"path-dependent row {r}");
        }
        Assert.Contains(interventional, v => Math.Abs(v[0]) > 1e-6);
    }

    [Fact]
    public void An_and_of_two_features_splits_its_value_equally()
    {
        // f = 1 when x0 > 0 and x1 > 0: both features matter the same way, whichever the tree tests first.
        var tree = new DecisionTree
        {
            Feature = [0, -1, 1, -1, -1], Threshold = [0, 0, 0, 0, 0], Rule = [SplitRule.LessOrEqual, 0, SplitRule.LessOrEqual, 0, 0],
            MissingGoesTrue = new bool[5], TrueChild = [1, -1, 3, -1, -1], FalseChild = [2, -1, 4, -1, -1], Value = [0, 0, 0, 0, 1],
            Cover = [100, 50, 50, 25, 25],
        };
        var ensemble = new TreeEnsemble { Trees = [tree], FeatureCount = 2 };
        float[][] rows = [[1, 1]];

        var (baseValue, values) = TreeShap.PathDependent(ensemble, rows, [0, 1], 2);
        Assert.Equal(0.25, baseValue, 12);
        Assert.Equal(0.375, values[0][0], 12);
        Assert.Equal(0.375, values[0][1], 12);

        var (interventionalBase, interventional) = TreeShap.Interventional(ensemble, rows, [[-1, -1]], [0, 1], 2);
        Assert.Equal(0, interventionalBase, 12);
        Assert.Equal(0.5, interventional[0][0], 12);
        Assert.Equal(0.5, interventional[0][1], 12);
    }

    [Fact]
    public void Brute_force_gives_the_known_values_of_a_small_game()
    {
        // Player 0 with at least one of players 1 and 2 is worth 1: 2/3 for 0, 1/6 each for the others.
        var phi = BruteForceShapley.Explain(s => s[0] && (s[1] || s[2]) ? 1 : 0, 3);
        Assert.Equal(2.0 / 3, phi[0], 12);
        Assert.Equal(1.0 / 6, phi[1], 12);
        Assert.Equal(1.0 / 6, phi[2], 12);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => BruteForceShapley.Explain(_ => 0, 21)).ErrorCode);
    }

    [Fact]
    public void Covers_count_the_rows_reaching_each_node()
    {
        // 0: x0 <= 0.5 (NaN false) -> 1: x1 <= -5 -> leaves 3, 4 ; else 2: x1 == 2 -> leaves 5, 6
        var tree = new DecisionTree
        {
            Feature = [0, 1, 1, -1, -1, -1, -1], Threshold = [0.5f, -5, 2, 0, 0, 0, 0],
            Rule = [SplitRule.LessOrEqual, SplitRule.LessOrEqual, SplitRule.Equal, 0, 0, 0, 0], MissingGoesTrue = new bool[7],
            TrueChild = [1, 3, 5, -1, -1, -1, -1], FalseChild = [2, 4, 6, -1, -1, -1, -1], Value = [0, 0, 0, 1, 2, 3, 4],
        };
        var ensemble = new TreeEnsemble { Trees = [tree], FeatureCount = 2 };
        float[][] data = [[0, 2], [1, 2], [1, 3], [float.NaN, 0], [0.5f, 7]];

        var covered = TreeCovers.FromData(ensemble, data);

        Assert.Equal([5, 2, 3, 0, 2, 1, 2], covered.Trees[0].Cover!);
        Assert.True(covered.HasCovers);
        Assert.False(ensemble.HasCovers);
        // Node 3 has cover 0: explaining a row that reaches it still adds up.
        float[][] rows = [[0, -9]];
        var (baseValue, values) = TreeShap.PathDependent(covered, rows, [0, 1], 2);
        Assert.Equal(ensemble.Predict(rows[0]), baseValue + values[0].Sum(), 12);
    }

    [Fact]
    public void Covers_from_data_add_up_over_children()
    {
        var random = new Random(5);
        var ensemble = RandomTrees.Ensemble(random, 5, 6, 6, 6);
        var data = RandomTrees.Rows(random, 50, 6);
        foreach (var tree in TreeCovers.FromData(ensemble, data).Trees)
        {
            Assert.Equal(50, tree.Cover![0]);
            for (var node = 0; node < tree.NodeCount; node++)
                if (tree.Feature[node] >= 0) Assert.Equal(tree.Cover[node], tree.Cover[tree.TrueChild[node]] + tree.Cover[tree.FalseChild[node]]);
        }
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_message()
    {
        var ensemble = RandomTrees.Ensemble(new Random(1), 2, 3, 3, 3);
        var covered = TreeCovers.FromData(ensemble, RandomTrees.Rows(new Random(2), 5, 3));
        float[][] rows = [[0, 1, 2]];
        int[] groupOf = [0, 1, 1];

        string Refused(Action action)
        {
            var e = Assert.Throws<CairnException>(action);
            Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
            return e.Message;
        }
        Assert.Contains("has 2 values", Refused(() => TreeShap.Interventional(ensemble, [[0, 1]], rows, groupOf, 2)));
        Assert.Contains("Background row 0 has 2 values", Refused(() => TreeShap.Interventional(ensemble, rows, [[0, 1]], groupOf, 2)));
        Assert.Contains("at least one background row", Refused(() => TreeShap.Interventional(ensemble, rows, [], groupOf, 2)));
        Assert.Contains("groupOf has 2 entries", Refused(() => TreeShap.Interventional(ensemble, rows, rows, [0, 1], 2)));
        Assert.Contains("outside 0..1", Refused(() => TreeShap.Interventional(ensemble, rows, rows, [0, 2, 1], 2)));
        Assert.Contains("outside 0..1", Refused(() => TreeShap.PathDependent(covered, rows, [0, -1, 1], 2)));
        Assert.Contains("needs node covers", Refused(() => TreeShap.PathDependent(ensemble, rows, groupOf, 2)));
        Assert.Contains("has 2 values", Refused(() => TreeShap.PathDependent(covered, [[0, 1]], groupOf, 2)));
        Assert.Contains("no rows", Refused(() => TreeCovers.FromData(ensemble, [])));
        var wide = new TreeEnsemble { Trees = ensemble.Trees, FeatureCount = 1 };
        Assert.Contains("splits on feature", Refused(() => TreeShap.Interventional(wide, rows, rows, [0], 1)));
    }
}
