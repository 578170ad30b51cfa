using Microsoft.Playwright;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>) driven by Playwright; no browser is downloaded.
/// Every page opened here records console errors, page errors, failed requests and 4xx/5xx
/// responses, so a test can assert that there were none.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where screenshots go: TestResults/screenshots beside the test binaries, or $CAIRN_SCREENSHOTS.</summary>
    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("CAIRN_SCREENSHOTS") is { Length: > 0 } folder
            ? folder
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Browser tests need Chromium at {ChromiumPath}: apt-get install -y chromium (.ci/run does).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task<WatchedPage> OpenAsync(Uri baseUri)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        return new WatchedPage(context, await context.NewPageAsync());
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>A page and everything that went wrong on it.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];
    private readonly HashSet<string> _expectedStatuses = [];

    public IPage Page { get; }

    public WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // Chromium also logs a provoked 4xx on the console; that one was expected.
            if (message.Type == "error" && !(message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal) && IsExpected(message.Location)))
                Add($"console error: {message.Text} at {message.Location}");
        };
        page.PageError += (_, error) => Add($"page error: {error}");
        page.RequestFailed += (_, request) => Add($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400 && !_expectedStatuses.Contains($"{response.Status} {new Uri(response.Url).AbsolutePath}"))
                Add($"HTTP {response.Status}: {response.Request.Method} {response.Url}");
        };
    }

    /// <summary>A status a test provokes on purpose (a 400 for a bad filter), not counted as a problem.</summary>
    public void Expect(int status, string path) => _expectedStatuses.Add($"{status} {path}");

    /// <summary>Whether a console message's location (<c>url:line:column</c>) is a page that was expected to fail.</summary>
    private bool IsExpected(string location) =>
        Uri.TryCreate(System.Text.RegularExpressions.Regex.Replace(location, @":\d+:\d+$", ""), UriKind.Absolute, out var url)
        && _expectedStatuses.Any(e => e.EndsWith(" " + url.AbsolutePath, StringComparison.Ordinal));

    public IReadOnlyList<string> Problems
    {
        get { lock (_problems) return _problems.ToList(); }
    }

    private void Add(string problem)
    {
        lock (_problems) _problems.Add(problem);
    }

    /// <param name="fullPage">The whole page, or only what the 1280×800 window shows.</param>
    public async Task<string> ScreenshotAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(Browser.ScreenshotFolder, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Console.WriteLine($"screenshot: {path}");
        return path;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
