using Xunit.Abstractions;
using Xunit.Sdk;

namespace Cairn.Storage.Tests;

/// <summary>
/// A test of a contract suite that the concrete suite may skip as a whole: where its backend's
/// server is missing, a <see cref="BackendRequirementAttribute"/> on the concrete class gives the reason.
/// </summary>
[XunitTestCaseDiscoverer("Cairn.Storage.Tests.ContractFactDiscoverer", "Cairn.Storage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>Put on a concrete contract suite: <see cref="Unavailable"/> is why its backend cannot run here, or null.</summary>
[AttributeUsage(AttributeTargets.Class)]
public abstract class BackendRequirementAttribute : Attribute
{
    public abstract string? Unavailable { get; }
}

public sealed class ContractFactDiscoverer(IMessageSink diagnostics) : FactDiscoverer(diagnostics)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new ContractTestCase(DiagnosticMessageSink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod);
}

public sealed class ContractTestCase : XunitTestCase
{
    [Obsolete("For deserialization only.")]
    public ContractTestCase() { }

    public ContractTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod)
        : base(diagnostics, display, displayOptions, testMethod) { }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        base.GetSkipReason(factAttribute)
        ?? TestMethod.TestClass.Class.ToRuntimeType().GetCustomAttributes(typeof(BackendRequirementAttribute), inherit: true)
            .Cast<BackendRequirementAttribute>().Select(r => r.Unavailable).FirstOrDefault(reason => reason is not null)!;
}
