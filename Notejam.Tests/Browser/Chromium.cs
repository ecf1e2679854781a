using Microsoft.Playwright;

namespace Notejam.Tests.Browser;

/// <summary>Headless Chromium from the machine's package, as the browser tests drive it.</summary>
internal static class Chromium
{
    /// <summary>Where the browser tests keep their screenshots, as test artifacts.</summary>
    public static readonly string Screenshots = Path.Combine(AppHost.ManifestTests.RepositoryRoot(), "TestResults", "screenshots");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("NOTEJAM_CHROMIUM") ?? "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"The browser tests drive Chromium at {chromium}: apt-get install -y chromium, or set NOTEJAM_CHROMIUM.");
        Directory.CreateDirectory(Screenshots);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }
}

/// <summary>A test class that drives one Chromium for its tests, with the assertions and screenshots they share.</summary>
public abstract class ChromiumTests : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    protected IBrowser Chrome { get; private set; } = null!;

    public async Task InitializeAsync() => (_playwright, Chrome) = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        await Chrome.DisposeAsync();
        _playwright.Dispose();
    }

    protected static Task<byte[]> ShotAsync(IPage page, string name, bool fullPage = true) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Chromium.Screenshots, $"{name}.png"), FullPage = fullPage });

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
