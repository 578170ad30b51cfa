using Cairn.Monitoring;
using Parquet;
using Parquet.Schema;

namespace Cairn.Bench;

/// <summary>
/// Writes an inference log straight in the layout <c>cairn serve</c> writes (<see cref="InferenceLogLayout"/>: a
/// folder per model and hour, typed <c>input_</c>/<c>output_</c> columns beside request_id, row, timestamp, model,
/// version, protocol and latency_ms), without serving: 6 numeric inputs, 3 categorical ones and a probability, seeded.
/// </summary>
public static class InferenceLogFixture
{
    public const int NumericInputs = 6;
    public const int CategoricalInputs = 3;

    /// <summary>Writes <paramref name="files"/> files of <paramref name="rowsPerFile"/> rows in row groups of <paramref name="rowGroup"/>, timestamps inside the hour starting at <paramref name="hourStartMs"/>.</summary>
    public static async Task WriteHourAsync(string logFolder, string model, string version, long hourStartMs, int files, int rowsPerFile, int rowGroup, int seed, bool shifted)
    {
        var folder = InferenceLogLayout.HourFolder(logFolder, model, hourStartMs);
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var fixedFields = new DataField[]
        {
            new DataField<string>("request_id"), new DataField<long>("row"), new DataField<long>("timestamp"), new DataField<string>("model"),
            new DataField<string>("version"), new DataField<string>("protocol"), new DataField<double>("latency_ms"),
        };
        var numeric = Enumerable.Range(0, NumericInputs).Select(f => new DataField<double?>($"input_n{f}")).ToArray();
        var categorical = Enumerable.Range(0, CategoricalInputs).Select(f => new DataField<string>($"input_c{f}")).ToArray();
        var probability = new DataField<double?>("output_Probability");
        var schema = new ParquetSchema([.. fixedFields, .. numeric, .. categorical, probability]);
        string[][] names = [Names("airport", 50), Names("carrier", 12), Names("route", 1500)];
        for (var file = 0; file < files; file++)
        {
            var path = Path.Combine(folder, $"part-{hourStartMs + file}-{seed:D4}{file:D6}.parquet");
            await using var stream = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            for (var start = 0; start < rowsPerFile; start += rowGroup)
            {
                var n = Math.Min(rowGroup, rowsPerFile - start);
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(fixedFields[0], (IReadOnlyCollection<string>)Enumerable.Range(start, n).Select(i => $"req-{seed}-{file}-{i}").ToArray());
                await group.WriteAsync<long>(fixedFields[1], Enumerable.Range(0, n).Select(_ => 0L).ToArray());
                await group.WriteAsync<long>(fixedFields[2], Enumerable.Range(0, n).Select(_ => hourStartMs + random.NextInt64(InferenceLogLayout.HourMs)).ToArray());
                await group.WriteAsync(fixedFields[3], (IReadOnlyCollection<string>)Enumerable.Repeat(model, n).ToArray());
                await group.WriteAsync(fixedFields[4], (IReadOnlyCollection<string>)Enumerable.Repeat(version, n).ToArray());
                await group.WriteAsync(fixedFields[5], (IReadOnlyCollection<string>)Enumerable.Repeat("mlflow", n).ToArray());
                await group.WriteAsync<double>(fixedFields[6], Enumerable.Range(0, n).Select(_ => 0.2 + random.NextDouble()).ToArray());
                for (var f = 0; f < NumericInputs; f++)
                {
                    var column = new double?[n];
                    for (var i = 0; i < n; i++) column[i] = Value(f, random, shifted);
                    await group.WriteAsync<double>(numeric[f], column);
                }
                for (var f = 0; f < CategoricalInputs; f++)
                {
                    var skew = f == 0 && shifted ? 2.0 : 1.2;
                    var column = new string[n];
                    for (var i = 0; i < n; i++) column[i] = names[f][(int)(names[f].Length * Math.Pow(random.NextDouble(), skew))];
                    await group.WriteAsync(categorical[f], (IReadOnlyCollection<string>)column);
                }
                await group.WriteAsync<double>(probability, Enumerable.Range(0, n).Select(_ => (double?)random.NextDouble()).ToArray());
            }
        }
    }

    private static double? Value(int feature, Random random, bool shifted)
    {
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return feature switch
        {
            0 => 800 + 300 * Gaussian() + (shifted ? 60 : 0),
            1 => 15 + 10 * Gaussian(),
            2 => Math.Exp(1 + 0.8 * Gaussian()),
            3 => 0.5 + (shifted ? 0.4 : 0.25) * Gaussian(),
            4 => random.Next(0, 24),
            _ => random.NextDouble() < 0.01 ? null : -50 + 100 * random.NextDouble(),
        };
    }

    private static string[] Names(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToArray();

    /// <summary>The process's peak resident set (VmHWM), in bytes; 0 where /proc is missing.</summary>
    public static long PeakResidentBytes()
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
