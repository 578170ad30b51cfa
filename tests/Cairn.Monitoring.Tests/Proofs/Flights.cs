using Cairn.Quality.Tables;

namespace Cairn.Monitoring.Tests.Proofs;

/// <summary>A flight as the delay model sees it: what is known before departure, and whether it left more than 15 minutes late.</summary>
public sealed class Flight
{
    public float Month { get; set; }
    public float Hour { get; set; }
    public float DayOfWeek { get; set; }
    public float Distance { get; set; }
    public string Origin { get; set; } = "";
    public string Destination { get; set; } = "";
    public bool Late { get; set; }

    /// <summary>Every flight of flights-3m.parquet with a known delay.</summary>
    public static async Task<List<Flight>> LoadAsync(string path)
    {
        var flights = new List<Flight>(3_000_000);
        await using var reader = await ParquetTableReader.OpenAsync(path);
        int Field(string name) => reader.Fields.IndexOf(name) is >= 0 and var i ? i : throw new InvalidOperationException($"{path} has no column {name}");
        var (date, delay, distance, origin, destination) = (Field("date"), Field("delay"), Field("distance"), Field("origin"), Field("destination"));
        await foreach (var batch in reader.ReadAsync(new HashSet<int> { date, delay, distance, origin, destination }))
        {
            for (var row = 0; row < batch.RowCount; row++)
            {
                if (!batch[date].TryGetTimestamp(row, out var when) || !batch[delay].TryGetNumber(row, out var minutes) || !batch[distance].TryGetNumber(row, out var miles)) continue;
                flights.Add(new Flight
                {
                    Month = when.Month, Hour = when.Hour, DayOfWeek = (float)when.DayOfWeek, Distance = (float)miles,
                    Origin = batch[origin].GetText(row) ?? "", Destination = batch[destination].GetText(row) ?? "", Late = minutes > 15,
                });
            }
        }
        return flights;
    }
}
