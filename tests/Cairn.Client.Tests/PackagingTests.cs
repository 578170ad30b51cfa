using System.IO.Compression;
using System.Xml.Linq;
using Cairn.Testing;

namespace Cairn.Client.Tests;

/// <summary>
/// The SDK's packages as a user gets them: `dotnet pack Cairn.Packages.slnf` (docs/sdk.md#packages)
/// into a local feed, then a console app outside the repository that references them from it.
/// Slow (a Release build and a restore), so it runs once for every check below.
/// </summary>
public sealed class PackagingTests : IClassFixture<PackagingTests.PackedFeed>
{
    private readonly PackedFeed _feed;

    public PackagingTests(PackedFeed feed) => _feed = feed;

    [Fact]
    public void EveryCairnDependencyOfAPackage_IsInTheFeed_AtTheSameVersion()
    {
        Assert.Equal(["Cairn.Client", "Cairn.Core", "Cairn.Data", "Cairn.Inference.Client", "Cairn.Models", "Cairn.Storage.Local", "Cairn.Storage.S3", "Cairn.Storage.Sql", "Cairn.Storage.Sqlite"],
            _feed.Packages.Keys.Order());
        foreach (var (id, dependencies) in _feed.Packages)
            foreach (var (dependency, version) in dependencies.Where(d => d.Key.StartsWith("Cairn.", StringComparison.Ordinal)))
            {
                Assert.True(_feed.Packages.ContainsKey(dependency), $"{id} depends on {dependency}, which is not packed");
                Assert.Equal(_feed.Version, version);
            }
    }

    [Fact]
    public void TheInferenceClient_IsLight_AndTheModelsPackage_StatesItsMlNetVersion()
    {
        Assert.Equal(["Cairn.Core"], _feed.Packages["Cairn.Inference.Client"].Keys);
        Assert.DoesNotContain(_feed.Packages["Cairn.Client"].Keys, id => id.StartsWith("Microsoft.ML", StringComparison.Ordinal));

        var pinned = XDocument.Load(Path.Combine(PackedFeed.RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Microsoft.ML").Attribute("Version")!.Value;
        Assert.Equal(pinned, _feed.Packages["Cairn.Models"]["Microsoft.ML"]);
    }

    [Fact]
    public async Task AConsoleApp_ReferencingThePackagesFromTheFeed_TracksARun_AndBuildsAnInferenceRequest()
    {
        using var app = new TempFolder();
        File.WriteAllText(Path.Combine(app.Path, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="cairn-local" value="{_feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        // Cairn's packages come from the feed into a private cache (never a stale copy in the user's);
        // their public dependencies from the machine's cache or its usual sources.
        var globalCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app.Path, "consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestorePackagesPath>{Path.Combine(app.Path, "packages")}</RestorePackagesPath>
                <RestoreFallbackFolders>{globalCache}</RestoreFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Cairn.Client" Version="{_feed.Version}" />
                <PackageReference Include="Cairn.Inference.Client" Version="{_feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app.Path, "Program.cs"), """
            using Cairn;
            using Cairn.Models;
            using Cairn.Serving;

            using var cairn = CairnClient.Open(args[0]);
            string runId;
            using (var run = cairn.StartRun("packaged"))
            {
                run.LogMetric("rmse", 0.25);
                runId = run.RunId;
            }
            var stored = await cairn.Tracking.GetRunAsync(runId);
            Console.WriteLine($"run {stored.Info.Status} rmse={stored.Data.Metrics.Single().Value}");
            using var client = new InferenceClient(new Uri("http://127.0.0.1:9"));
            var column = new TensorColumn("x", new float[] { 1, 2 }, 1);
            Console.WriteLine($"column rows={column.Rows}");
            """);

        using var process = ChildProcess.Start("dotnet", ["run", "--project", Path.Combine(app.Path, "consumer.csproj"), "--", Path.Combine(app.Path, "store")]);
        var exit = await process.WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, process.StandardOutput + process.StandardError);
        Assert.Contains("run Finished rmse=0.25", process.StandardOutput);
        Assert.Contains("column rows=2", process.StandardOutput);
        Assert.True(File.Exists(Path.Combine(app.Path, "store", "cairn.db")), "the embedded store was not created where asked");
    }

    /// <summary>The packages, packed once per test class into a temporary feed.</summary>
    public sealed class PackedFeed : IAsyncLifetime
    {
        private readonly TempFolder _folder = new();

        public static string RepoRoot
        {
            get
            {
                var dir = new DirectoryInfo(AppContext.BaseDirectory);
                while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.Packages.slnf"))) dir = dir.Parent;
                return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Cairn.Packages.slnf).");
            }
        }

        public string Folder => _folder.Path;
        public string Version { get; private set; } = "";
        /// <summary>Each package's id and its dependencies (id → version) as its nuspec states them.</summary>
        public Dictionary<string, Dictionary<string, string>> Packages { get; } = new();

        public async Task InitializeAsync()
        {
            using var pack = ChildProcess.Start("dotnet", ["pack", Path.Combine(RepoRoot, "Cairn.Packages.slnf"), "-c", "Release", "-o", Folder, "-nologo"]);
            var exit = await pack.WaitAsync(TimeSpan.FromMinutes(8));
            if (exit != 0) throw new InvalidOperationException($"dotnet pack failed ({exit}): {pack.StandardOutput}{pack.StandardError}");
            foreach (var nupkg in Directory.EnumerateFiles(Folder, "*.nupkg"))
            {
                using var zip = ZipFile.OpenRead(nupkg);
                var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
                using var stream = entry.Open();
                var nuspec = XDocument.Load(stream);
                XNamespace ns = nuspec.Root!.Name.Namespace;
                var metadata = nuspec.Root.Element(ns + "metadata")!;
                Version = metadata.Element(ns + "version")!.Value;
                Packages[metadata.Element(ns + "id")!.Value] = metadata.Descendants(ns + "dependency")
                    .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
            }
        }

        public Task DisposeAsync()
        {
            _folder.Dispose();
            return Task.CompletedTask;
        }
    }
}
