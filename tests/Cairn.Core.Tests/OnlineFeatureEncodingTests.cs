using Cairn.Features;

namespace Cairn.Core.Tests;

public class OnlineFeatureEncodingTests
{
    [Fact]
    public void EncodeKey_SeparatorsTypesAndSplits_NeverCollide()
    {
        object[][] keys =
        [
            ["a:b"], ["a", "b"], ["a%3Ab"], ["1"], [1L], [1], ["a{b}"], ["a", ""], ["a:"], [""], ["", ""], ["i1"], ["é:ü"], ["a\nb"], ["a%b"],
        ];
        var texts = keys.Select(k => OnlineFeatureKeys.Encode(k)).ToList();

        Assert.Equal("i1", texts[4]);
        Assert.Equal(texts[4], texts[5]); // int and long of the same value are the same key
        var distinct = texts.Where((_, i) => i != 5).ToList();
        Assert.Equal(distinct.Count, distinct.Distinct(StringComparer.Ordinal).Count());
        Assert.All(texts.Where((_, i) => keys[i].Length == 1), t => Assert.DoesNotContain(':', t));
        Assert.Equal("sé%3Aü", texts[12]);
    }

    [Fact]
    public void EscapeName_ViewWithColon_CannotImitateAnotherViewsKey()
    {
        var one = OnlineFeatureKeys.EscapeName("a:b") + ":" + OnlineFeatureKeys.Encode(["c"]);
        var two = OnlineFeatureKeys.EscapeName("a") + ":" + OnlineFeatureKeys.Encode(["b:c"]);
        Assert.NotEqual(one, two);
        Assert.Equal("a%3Ab", OnlineFeatureKeys.EscapeName("a:b"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2.5)]
    [InlineData(true)]
    public void EncodeKey_OtherComponentTypes_AreRefused(object? component)
    {
        var error = Assert.Throws<CairnException>(() => OnlineFeatureKeys.Encode([component!]));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("join key", error.Message);
    }

    [Fact]
    public void EncodeKey_EmptyOrUnpairedSurrogate_IsRefused()
    {
        Assert.Throws<CairnException>(() => OnlineFeatureKeys.Encode([]));
        Assert.Contains("Unicode", Assert.Throws<CairnException>(() => OnlineFeatureKeys.Encode(["a\uD800b"])).Message);
    }

    [Fact]
    public void ToUnixMicroseconds_BeforeEpochWithSubMicroTicks_RoundsDown()
    {
        var justBefore = DateTimeOffset.UnixEpoch.AddTicks(-1);
        Assert.Equal(-1, OnlineValueCodec.ToUnixMicroseconds(justBefore));
        Assert.Equal(0, OnlineValueCodec.ToUnixMicroseconds(DateTimeOffset.UnixEpoch.AddTicks(9)));
        var min = OnlineValueCodec.ToUnixMicroseconds(DateTimeOffset.MinValue);
        Assert.Equal(DateTimeOffset.MinValue, OnlineValueCodec.FromUnixMicroseconds(min));
    }

    [Fact]
    public void Decode_UnknownTagOrTruncated_IsInternalError()
    {
        Assert.Equal(ErrorCodes.InternalError, Assert.Throws<CairnException>(() => OnlineValueCodec.Decode("x1"u8)).ErrorCode);
        Assert.Equal(ErrorCodes.InternalError, Assert.Throws<CairnException>(() => OnlineValueCodec.Decode("i123"u8)).ErrorCode);
    }

    [Fact]
    public void EncodeBatch_UndeclaredFeatureOrWrongType_FailsBeforeAnyRow()
    {
        FeatureField[] features = [new("delay", FeatureType.Double)];
        var now = DateTimeOffset.UtcNow;
        var undeclared = Assert.Throws<CairnException>(() => OnlineFeatureBatch.Encode("v", features,
            [new(["a"], now, new Dictionary<string, object?> { ["delay"] = 1.0 }), new(["b"], now, new Dictionary<string, object?> { ["dleay"] = 1.0 })]));
        Assert.Contains("Row 2: 'dleay' is not a feature of view 'v'", undeclared.Message);
        var wrongType = Assert.Throws<CairnException>(() => OnlineFeatureBatch.Encode("v", features,
            [new(["a"], now, new Dictionary<string, object?> { ["delay"] = "late" })]));
        Assert.Contains("'delay' is double; got a String", wrongType.Message);
        var local = Assert.Throws<CairnException>(() => OnlineValueCodec.Encode(new("at", FeatureType.Timestamp), DateTime.Now));
        Assert.Contains("kind Utc", local.Message);
    }
}
