namespace Cairn.Testing;

/// <summary>A small labelled data set with two numbers and a category: enough to train models whose pipelines one-hot encode a string.</summary>
public sealed class ColoredPoint
{
    public float X { get; set; }
    public float Y { get; set; }
    public string Color { get; set; } = "";
    public bool Label { get; set; }

    private static readonly string[] Colors = ["red", "green", "blue"];

    public static List<ColoredPoint> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (x, y, c) = ((float)random.NextDouble(), (float)random.NextDouble(), Colors[random.Next(3)]);
            return new ColoredPoint { X = x, Y = y, Color = c, Label = x + y + (c == "red" ? 0.3 : 0) > 1 };
        }).ToList();
    }
}
