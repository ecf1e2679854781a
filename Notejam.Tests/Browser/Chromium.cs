using Microsoft.Playwright;

namespace Notejam.Tests.Browser;

/// <summary>Headless Chromium, the one the machine has (see <see cref="Find"/>), as the browser tests drive it.</summary>
internal static class Chromium
{
    /// <summary>Where the browser tests keep their screenshots, as test artifacts.</summary>
    public static readonly string Screenshots = Path.Combine(AppHost.ManifestTests.RepositoryRoot(), "TestResults", "screenshots");

    // Found once per run, and said plainly for whoever reads the results: which browser the tests used.
    private static readonly Lazy<string> Found = new(() =>
    {
        var (chromium, source) = Find();
        Directory.CreateDirectory(Screenshots);
        File.WriteAllText(Path.Combine(Screenshots, "..", "browser.txt"), $"Chromium: {chromium} ({source})\n");
        return chromium;
    });

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var chromium = Found.Value;
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>
    /// NOTEJAM_CHROMIUM when set; else the machine's own Chromium or Chrome (Debian's and Ubuntu's packages, Google
    /// Chrome, the macOS apps); else a Chromium that Playwright installed (PLAYWRIGHT_BROWSERS_PATH or its cache folder).
    /// Playwright is never asked to download one.
    /// </summary>
    internal static (string Path, string Source) Find()
    {
        if (Environment.GetEnvironmentVariable("NOTEJAM_CHROMIUM") is { Length: > 0 } configured)
        {
            Assert.True(File.Exists(configured), $"NOTEJAM_CHROMIUM is {configured}, and there is no such file.");
            return (configured, "NOTEJAM_CHROMIUM");
        }

        string[] installed =
        [
            "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
            "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        ];
        if (installed.FirstOrDefault(File.Exists) is { } system)
        {
            return (system, "the machine's own");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var caches = Environment.GetEnvironmentVariable("PLAYWRIGHT_BROWSERS_PATH") is { Length: > 0 } browsers
            ? [browsers]
            : new[]
            {
                Path.Combine(home, ".cache", "ms-playwright"), Path.Combine(home, "Library", "Caches", "ms-playwright"),
                Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "ms-playwright"),
            };
        var playwrights = caches.Where(Directory.Exists)
            .SelectMany(cache => Directory.GetDirectories(cache, "chromium-*"))
            .OrderDescending(StringComparer.Ordinal)
            .SelectMany(dir => new[]
            {
                Path.Combine(dir, "chrome-linux", "chrome"), Path.Combine(dir, "chrome-win", "chrome.exe"),
                Path.Combine(dir, "chrome-mac", "Chromium.app", "Contents", "MacOS", "Chromium"),
            });
        if (playwrights.FirstOrDefault(File.Exists) is { } downloaded)
        {
            return (downloaded, "installed by Playwright");
        }

        Assert.Fail("The browser tests need Chromium: apt-get install -y chromium (Debian), a Chrome or Chromium app, " +
            "a browser Playwright installed, or NOTEJAM_CHROMIUM=/path/to/chrome. None was found.");
        return default;
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
