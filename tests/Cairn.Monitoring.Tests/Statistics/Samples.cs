namespace Cairn.Monitoring.Tests;

/// <summary>Seeded random columns for the statistics tests.</summary>
internal static class Samples
{
    public static double[] Normal(int seed, int n, double mean = 0, double deviation = 1)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = mean + deviation * Gaussian(random);
        return values;
    }

    public static double[] LogNormal(int seed, int n, double mu = 0, double sigma = 1)
    {
        var values = Normal(seed, n, mu, sigma);
        for (var i = 0; i < n; i++) values[i] = Math.Exp(values[i]);
        return values;
    }

    /// <summary>Small integers, so most values are tied.</summary>
    public static double[] Integers(int seed, int n, int maxExclusive, int offset = 0)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = random.Next(maxExclusive) + offset;
        return values;
    }

    public static string?[] Categories(int seed, int n, string[] values, double[] weights)
    {
        var random = new Random(seed);
        var total = weights.Sum();
        var result = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var u = random.NextDouble() * total;
            var k = 0;
            while (k < weights.Length - 1 && u >= weights[k]) u -= weights[k++];
            result[i] = values[k];
        }
        return result;
    }

    public static DatasetProfile Numeric(string column, params double[][] chunks)
    {
        var profile = new DatasetProfile();
        foreach (var chunk in chunks)
        {
            profile.AddRows(chunk.Length);
            profile.Numeric(column).AddNumbers(chunk);
        }
        return profile;
    }

    public static DatasetProfile Categorical(string column, params string?[][] chunks)
    {
        var profile = new DatasetProfile();
        foreach (var chunk in chunks)
        {
            profile.AddRows(chunk.Length);
            profile.Categorical(column).AddStrings(chunk);
        }
        return profile;
    }

    private static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
