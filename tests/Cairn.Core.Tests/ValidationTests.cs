using Cairn.Artifacts;
using Cairn.Search;
using Cairn.Tracking;

namespace Cairn.Core.Tests;

public class ValidationTests
{
    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/abs/path")]
    [InlineData("a\\b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("C:/windows")]
    public void ArtifactPathNormalize_EscapingPath_IsRefused(string path)
    {
        var error = Assert.Throws<CairnException>(() => ArtifactPath.Normalize(path));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    [Theory]
    [InlineData("model/model.zip", "model/model.zip")]
    [InlineData("model/", "model")]
    [InlineData("", "")]
    public void ArtifactPathNormalize_RelativePath_IsKept(string path, string expected)
    {
        Assert.Equal(expected, ArtifactPath.Normalize(path));
    }

    [Theory]
    [InlineData("mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts://host:5000/1/abc/artifacts", "1/abc/artifacts")]
    public void ArtifactPathFromUri_ProxyUris_MapToStorePaths(string uri, string expected)
    {
        Assert.Equal(expected, ArtifactPath.FromUri(uri));
    }

    [Fact]
    public void ArtifactPathFromUri_ForeignScheme_IsRefused()
    {
        Assert.Throws<CairnException>(() => ArtifactPath.FromUri("s3://bucket/x"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\u0001key")]
    [InlineData("semi;colon")]
    [InlineData("/leading")]
    [InlineData("a/../b")]
    public void ValidateKey_BadKeys_AreRefused(string key)
    {
        Assert.Throws<CairnException>(() => TrackingLimits.ValidateKey("param", key));
    }

    [Fact]
    public void ValidateKey_TooLong_SaysTheLimit()
    {
        var error = Assert.Throws<CairnException>(() => TrackingLimits.ValidateKey("metric", new string('k', 1000)));
        Assert.Contains("limit is 250", error.Message);
    }

    [Fact]
    public void ValidateBatch_OverMlflowLimits_IsRefused()
    {
        var metrics = Enumerable.Range(0, 1001).Select(i => new Metric("m", i, 0, i)).ToList();
        var error = Assert.Throws<CairnException>(() => TrackingLimits.ValidateBatch(new LogBatch(Metrics: metrics)));
        Assert.Contains("at most 1000 metrics", error.Message);

        var @params = Enumerable.Range(0, 101).Select(i => new Param("p" + i, "v")).ToList();
        Assert.Throws<CairnException>(() => TrackingLimits.ValidateBatch(new LogBatch(Params: @params)));
    }

    [Fact]
    public void ValidateBatch_AtTheLimits_IsAccepted()
    {
        TrackingLimits.ValidateBatch(new LogBatch(
            Metrics: Enumerable.Range(0, 1000).Select(i => new Metric("m", i, 0, i)).ToList()));
    }

    [Fact]
    public void PageToken_RoundTripsAndRejectsGarbage()
    {
        Assert.Equal(300, PageToken.Decode(PageToken.Encode(300)));
        Assert.Equal(0, PageToken.Decode(null));
        Assert.Throws<CairnException>(() => PageToken.Decode("not-a-token"));
        Assert.Throws<CairnException>(() => PageToken.Decode(Convert.ToBase64String("offset:-5"u8.ToArray())));
    }

    [Fact]
    public void TrackingUri_ParsesEachForm()
    {
        var cwd = Path.GetTempPath();
        var unset = Assert.IsType<EmbeddedLocation>(TrackingUri.Parse(null, cwd));
        Assert.Equal(Path.Combine(cwd, ".cairn", "cairn.db"), unset.DatabasePath);

        var sqlite = Assert.IsType<EmbeddedLocation>(TrackingUri.Parse("sqlite:///tmp/x/cairn.db", cwd));
        Assert.Equal("/tmp/x/cairn.db", sqlite.DatabasePath);
        Assert.Equal("/tmp/x/artifacts", sqlite.ArtifactRoot);

        Assert.Equal(new Uri("http://127.0.0.1:5000"), Assert.IsType<ServerLocation>(TrackingUri.Parse("http://127.0.0.1:5000", cwd)).BaseUri);
        Assert.Equal("/data/store/cairn.db", Assert.IsType<EmbeddedLocation>(TrackingUri.Parse("/data/store", cwd)).DatabasePath);
        Assert.Throws<CairnException>(() => TrackingUri.Parse("ftp://x", cwd));
    }

    [Fact]
    public void RunUri_ParsesRunAndPath()
    {
        var id = Ids.NewId();
        Assert.Equal(new RunUri(id, "model/model.zip"), RunUri.Parse($"runs:/{id}/model/model.zip"));
        Assert.Throws<CairnException>(() => RunUri.Parse("runs:/short/x"));
        Assert.Throws<CairnException>(() => RunUri.Parse($"runs:/{id}/../x"));
    }
}
