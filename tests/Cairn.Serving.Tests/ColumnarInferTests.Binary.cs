using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Serving.Protocols;

namespace Cairn.Serving.Tests;

/// <summary>
/// The binary tensor data extension (KServe, Triton): inputs after the JSON object, outputs
/// returned the same way when asked, same answers as JSON, and every malformed body a 400.
/// </summary>
public sealed partial class ColumnarInferTests
{
    private static byte[] Floats(IEnumerable<float> values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Strings(IEnumerable<string> values) => values.SelectMany(s =>
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)bytes.Length);
        return length.Concat(bytes);
    }).ToArray();

    /// <summary>X, Y and Color of the first <paramref name="rows"/> points, X and Color as binary data, Y as JSON.</summary>
    private (string Json, byte[] Binary) BinaryRequest(int rows, string parameters = "", string outputs = "")
    {
        var points = _points.Take(rows).ToList();
        var x = Floats(points.Select(p => p.X));
        var color = Strings(points.Select(p => p.Color));
        var y = string.Join(",", points.Select(p => p.Y.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var json = $$$"""{"id": "bin-1", "inputs": [{"name": "X", "shape": [{{{rows}}}, 1], "datatype": "FP32", "parameters": {"binary_data_size": {{{x.Length}}}}}, {"name": "Y", "shape": [{{{rows}}}, 1], "datatype": "FP32", "data": [{{{y}}}]}, {"name": "Color", "shape": [{{{rows}}}, 1], "datatype": "BYTES", "parameters": {"binary_data_size": {{{color.Length}}}}}]{{{outputs}}}{{{parameters}}}}""";
        return (json, x.Concat(color).ToArray());
    }

    private async Task<(HttpStatusCode Status, HttpResponseMessage Response, byte[] Body)> PostBinary(string json, byte[] binary, string? headerLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent(header.Concat(binary).ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(BinaryTensorData.HeaderLength, headerLength ?? header.Length.ToString());
        var response = await _http.PostAsync("/v2/models/points/infer", content);
        return (response.StatusCode, response, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The response's JSON object and, by output name, its binary data.</summary>
    private static (JsonNode Json, Dictionary<string, byte[]> Binary) SplitResponse(HttpResponseMessage response, byte[] body)
    {
        var length = response.Headers.TryGetValues(BinaryTensorData.HeaderLength, out var values) ? int.Parse(values.Single()) : body.Length;
        var json = JsonNode.Parse(body.AsSpan(0, length))!;
        var binary = new Dictionary<string, byte[]>();
        var at = length;
        foreach (var output in json["outputs"]!.AsArray())
            if (output!["parameters"]?["binary_data_size"] is { } size)
            {
                binary[output["name"]!.GetValue<string>()] = body[at..(at + size.GetValue<int>())];
                at += size.GetValue<int>();
            }
        Assert.Equal(body.Length, at);
        return (json, binary);
    }

    [Theory]
    [InlineData(Rows)] // columnar path
    [InlineData(3)] // row path, through the micro-batcher
    public async Task BinaryInputsAndOutputs_GiveTheJsonAnswers(int rows)
    {
        var (json, binary) = BinaryRequest(rows, parameters: """, "parameters": {"binary_data_output": true}""");
        var (status, response, body) = await PostBinary(json, binary);
        var (jsonStatus, jsonBody) = await Infer(Request(rows, nested: true));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, jsonStatus);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        var (head, outputs) = SplitResponse(response, body);
        Assert.Equal("bin-1", head["id"]!.GetValue<string>());
        var probability = head["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!;
        Assert.Null(probability["data"]);
        Assert.Equal("FP32", probability["datatype"]!.GetValue<string>());
        var probabilities = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(outputs["Probability"]).ToArray();
        var expected = jsonBody!["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!["data"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        Assert.Equal(expected, probabilities);
        var labels = outputs["PredictedLabel"];
        Assert.Equal(rows, labels.Length); // BOOL: one byte each
        var expectedLabels = jsonBody["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "PredictedLabel")!["data"]!.AsArray().Select(v => v!.GetValue<bool>() ? (byte)1 : (byte)0);
        Assert.Equal(expectedLabels, labels);
    }

    [Fact]
    public async Task BinaryInputs_OneOutputAskedAsBinary_OthersStayJson()
    {
        var (json, binary) = BinaryRequest(Rows, outputs: """, "outputs": [{"name": "Score", "parameters": {"binary_data": true}}, {"name": "Probability"}]""");
        var (status, response, body) = await PostBinary(json, binary);

        Assert.Equal(HttpStatusCode.OK, status);
        var (head, outputs) = SplitResponse(response, body);
        Assert.Equal(["Score"], outputs.Keys);
        Assert.Equal(Rows * 4, outputs["Score"].Length);
        Assert.Equal(Rows, head["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task BinaryInputs_JsonOutputs_AreAPlainJsonResponse()
    {
        var (json, binary) = BinaryRequest(Rows);
        var (status, response, body) = await PostBinary(json, binary);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(response.Headers.Contains(BinaryTensorData.HeaderLength));
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Rows, JsonNode.Parse(body)!["outputs"]![0]!["data"]!.AsArray().Count);
    }

    public static TheoryData<string, Func<(string Json, byte[] Binary), (string Json, byte[] Binary, string? Header)>, string> MalformedBinaryBodies => new()
    {
        { "header not a number", r => (r.Json, r.Binary, "ten"), "header must be the JSON object's length" },
        { "header past the body", r => (r.Json, r.Binary, (r.Json.Length + r.Binary.Length + 1).ToString()), "but the body has" },
        { "header cuts the JSON", r => (r.Json, r.Binary, (r.Json.Length - 5).ToString()), "Malformed inference request" },
        { "X one float short", r => (r.Json.Replace($"\"binary_data_size\": {Rows * 4}", $"\"binary_data_size\": {Rows * 4 - 4}"), r.Binary, null), "Input tensor 'X' has binary_data_size 2396, but 600 FP32 values take 2400 bytes" },
        { "bytes left over", r => (r.Json, r.Binary.Concat(new byte[] { 1, 2, 3 }).ToArray(), null), "but its inputs' binary_data_size add up to" },
        { "data cut short", r => (r.Json, r.Binary[..^10], null), "Input tensor 'Color' has binary_data_size" },
        { "string longer than its data", r => (r.Json, r.Binary.Take(Rows * 4).Concat(new byte[] { 255, 255, 0, 0 }).Concat(r.Binary.Skip(Rows * 4 + 4)).ToArray(), null), "Input tensor 'Color': element 0 claims 65535 bytes" },
        { "negative size", r => (r.Json.Replace($"\"binary_data_size\": {Rows * 4}", "\"binary_data_size\": -4"), r.Binary, null), "expected a non-negative integer" },
        { "BYTES shape far past its data", r => (r.Json.Replace($"\"name\": \"Color\", \"shape\": [{Rows}, 1]", "\"name\": \"Color\", \"shape\": [2000000000, 1]"), r.Binary, null), "too small for 2000000000 BYTES elements" },
    };

    [Theory]
    [MemberData(nameof(MalformedBinaryBodies))]
    public async Task MalformedBinaryBody_Is400NamingTheProblem(string why, Func<(string Json, byte[] Binary), (string Json, byte[] Binary, string? Header)> spoil, string expected)
    {
        var (json, binary, header) = spoil(BinaryRequest(Rows));
        var (status, _, body) = await PostBinary(json, binary, header);

        Assert.True(status == HttpStatusCode.BadRequest, why);
        Assert.Contains(expected, JsonNode.Parse(body)!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsonShapeFarPastItsData_Is400_NotAnAllocation()
    {
        var (status, body) = await Infer(Request(Rows).Replace($"\"shape\": [{Rows}], \"datatype\": \"FP32\"", "\"shape\": [2000000000], \"datatype\": \"FP32\""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"has {Rows} values but its shape needs 2000000000", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task OutputNamedTwice_LastBinaryFlagWins()
    {
        var (json, binary) = BinaryRequest(Rows, outputs: """, "outputs": [{"name": "Score", "parameters": {"binary_data": false}}, {"name": "Score", "parameters": {"binary_data": true}}]""");
        var (status, response, body) = await PostBinary(json, binary);

        Assert.Equal(HttpStatusCode.OK, status);
        var (head, _) = SplitResponse(response, body);
        var scores = head["outputs"]!.AsArray();
        Assert.Equal(2, scores.Count);
        Assert.All(scores, s => Assert.Equal(Rows * 4, s!["parameters"]!["binary_data_size"]!.GetValue<int>()));
    }

    [Fact]
    public async Task BinaryDataSize_WithoutTheHeader_Is400SayingSo()
    {
        var (json, _) = BinaryRequest(Rows);
        var (status, body) = await Infer(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"has no {BinaryTensorData.HeaderLength} header", body!["message"]!.GetValue<string>());

        (json, _) = BinaryRequest(3);
        (status, body) = await Infer(json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"has no {BinaryTensorData.HeaderLength} header", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServerMetadata_ListsTheBinaryTensorDataExtension()
    {
        var metadata = JsonNode.Parse(await _http.GetStringAsync("/v2"))!;
        Assert.Contains("binary_tensor_data", metadata["extensions"]!.AsArray().Select(e => e!.GetValue<string>()));
    }
}
