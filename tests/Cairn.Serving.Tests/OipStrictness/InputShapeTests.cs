using System.Net;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>An input whose shape is not the declared one, or whose data does not fill its shape, is a 400 naming it (Triton refuses both), never a model failure.</summary>
public sealed class InputShapeTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARankOneShape_ForARankTwoInput_Is400NamingTheExpectedShape(bool columnar)
    {
        var (status, body) = await server.InferAsync(DotModelServer.Request(1, shape: "[4]"), columnar);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Input 'X' has shape [4], but the model expects [-1, 4] (-1: any size; the first dimension is the batch).", DotModelServer.Message(body));
    }

    [Theory]
    [InlineData("[2, 2, 2]", 2)]
    [InlineData("[4, 2]", 2)]
    [InlineData("[1, 8]", 2)]
    [InlineData("[1, 4, 2]", 2)]
    public async Task AnotherShapeOfTheSameSize_Is400(string shape, int rows)
    {
        foreach (var columnar in new[] { false, true })
        {
            var (status, body) = await server.InferAsync(DotModelServer.Request(rows, shape: shape), columnar);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains($"Input 'X' has shape {shape}, but the model expects [-1, 4]", DotModelServer.Message(body));
        }
    }

    [Theory]
    [InlineData("[2, 4]", 1, "has 4 values but its shape")]
    [InlineData("[1, 4]", 2, "has 8 values but its shape")]
    [InlineData("[3, 4]", 2, "has 8 values but its shape")]
    public async Task ElementsThatDisagreeWithTheShape_Are400(string shape, int rows, string expected)
    {
        foreach (var columnar in new[] { false, true })
        {
            var (status, body) = await server.InferAsync(DotModelServer.Request(rows, shape: shape), columnar);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expected, DotModelServer.Message(body));
        }
    }

    [Fact]
    public async Task TrailingOnes_AreTheSameShape()
    {
        // [2, 4, 1] is [2, 4]: one value per position either way.
        var (status, body) = await server.InferAsync(DotModelServer.Request(2, shape: "[2, 4, 1]"), columnar: false);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"shape\":[2,1]", body);
    }
}
