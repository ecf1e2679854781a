using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>The site follows the system's colour scheme: Chromium told it prefers dark gets dark pages.</summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed partial class ColorSchemeTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Pages_are_dark_when_the_system_prefers_dark_and_light_otherwise()
    {
        var light = await LuminanceAsync(ColorScheme.Light);
        var dark = await LuminanceAsync(ColorScheme.Dark);

        Assert.True(light.Background > 0.7, $"light background {light.Background:F2}");
        Assert.True(light.Text < 0.3, $"light text {light.Text:F2}");
        Assert.True(dark.Background < 0.2, $"dark background {dark.Background:F2}");
        Assert.True(dark.Text > 0.6, $"dark text {dark.Text:F2}");
    }

    /// <summary>Relative luminance (0 black, 1 white) of the sign-in page's background and of its text.</summary>
    private async Task<(double Background, double Text)> LuminanceAsync(ColorScheme scheme)
    {
        await using var context = await Chrome.NewContextAsync(new()
        {
            BaseURL = topology.App.GetEndpoint("web", "http").ToString(),
            ColorScheme = scheme,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin/");
        await ShotAsync(page, $"signin-{scheme.ToString().ToLowerInvariant()}", fullPage: false);
        // The page's background is the body's, or the root element's where the body has none.
        var background = await page.EvaluateAsync<string>(
            "[document.body, document.documentElement].map(e => getComputedStyle(e).backgroundColor).find(c => c !== 'rgba(0, 0, 0, 0)') ?? ''");
        var text = await page.EvaluateAsync<string>("getComputedStyle(document.body).color");
        return (Luminance(background), Luminance(text));
    }

    private static double Luminance(string cssColor)
    {
        var channels = Rgb().Match(cssColor);
        Assert.True(channels.Success, $"Not an rgb() colour: {cssColor}");
        var (r, g, b) = (Channel(channels.Groups[1].Value), Channel(channels.Groups[2].Value), Channel(channels.Groups[3].Value));
        return (0.2126 * r) + (0.7152 * g) + (0.0722 * b);
    }

    private static double Channel(string value)
    {
        var c = double.Parse(value, CultureInfo.InvariantCulture) / 255;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }

    [GeneratedRegex(@"rgba?\((\d+), (\d+), (\d+)")]
    private static partial Regex Rgb();

}
