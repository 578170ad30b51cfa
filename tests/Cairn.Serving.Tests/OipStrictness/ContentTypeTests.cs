using System.Net;

namespace Cairn.Serving.Tests.OipStrictness;

/// <summary>The infer route reads what OIP clients send (JSON, octet-stream for binary data, no type at all, curl's default) and refuses other types with 415.</summary>
public sealed class ContentTypeTests(DotModelServer server) : IClassFixture<DotModelServer>
{
    [Theory]
    [InlineData(null)]                                  // tritonclient.http sends none
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=\"UTF-8\"")]
    [InlineData("application/octet-stream")]            // binary tensor data (KServe's and Triton's aio clients)
    [InlineData("application/x-www-form-urlencoded")]   // curl -d / --data-binary, as Triton's and KServe's examples post
    public async Task WhatClientsSend_IsRead(string? contentType)
    {
        foreach (var columnar in new[] { false, true })
        {
            var (status, body) = await server.InferAsync(DotModelServer.Request(1), columnar, contentType);
            Assert.True(status == HttpStatusCode.OK, $"{contentType}: {(int)status} {body}");
        }
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("not a type")]
    public async Task OtherTypes_Are415(string contentType)
    {
        var (status, body) = await server.InferAsync(DotModelServer.Request(1), columnar: false, contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type", DotModelServer.Message(body));
    }
}
