using System.Text;
using Cairn.Deployments.Replicas;

namespace Cairn.Deployments.Tests.Replicas;

public sealed class ReplicaWireTests
{
    [Fact]
    public void AnOutputDeclaredWithWidthOne_ReadsAsOneScalarPerRow()
    {
        var body = Encoding.UTF8.GetBytes("""{"outputs":[{"name":"Score","datatype":"FP32","shape":[2,1],"data":[0.25,0.75]}]}""");

        var rows = ReplicaWire.ReadResponse(body, 2);

        Assert.Equal(0.25f, Assert.IsType<float>(rows[0]["Score"]));
        Assert.Equal(0.75f, Assert.IsType<float>(rows[1]["Score"]));
    }

    [Fact]
    public void AWiderOutput_ReadsAsAVectorPerRow()
    {
        var body = Encoding.UTF8.GetBytes("""{"outputs":[{"name":"Probability","datatype":"FP32","shape":[2,2],"data":[[0.1,0.9],[0.6,0.4]]}]}""");

        var rows = ReplicaWire.ReadResponse(body, 2);

        Assert.Equal([0.6f, 0.4f], Assert.IsType<float[]>(rows[1]["Probability"]));
    }
}
