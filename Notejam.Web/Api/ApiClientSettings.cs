namespace Notejam.Web.Api;

/// <summary>
/// Where the web finds the API and how long a page read may wait for it: <c>Notejam:ApiUrl</c> and
/// <c>Notejam:ApiReadBudget</c>, bound once at start. A bad value stops the start with a message naming the setting.
/// </summary>
public sealed class ApiClientSettings
{
    public const string Section = "Notejam";

    /// <summary>The API, by service discovery (the AppHost) unless configured (the chart, Container Apps).</summary>
    public Uri ApiUrl { get; set; } = new("https+http://api");

    /// <summary>A page read gets its answer or the 503 page within this, retries included (the API's total budget is 12 s).</summary>
    public TimeSpan ApiReadBudget { get; set; } = TimeSpan.FromSeconds(1.8);

    public static readonly TimeSpan TotalBudget = TimeSpan.FromSeconds(12);

    private static readonly string[] Schemes = ["http", "https", "https+http", "http+https"];

    public static ApiClientSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ApiClientSettings>() ?? new ApiClientSettings();
        if (!settings.ApiUrl.IsAbsoluteUri || !Schemes.Contains(settings.ApiUrl.Scheme))
        {
            throw new InvalidOperationException(
                $"{Section}:ApiUrl must be an absolute http(s) URL, or a service discovery name such as https+http://api; it is '{settings.ApiUrl}'.");
        }

        if (settings.ApiReadBudget < TimeSpan.FromMilliseconds(100) || settings.ApiReadBudget > TotalBudget)
        {
            throw new InvalidOperationException(
                $"{Section}:ApiReadBudget must be between 00:00:00.1 and {TotalBudget} (the API's total budget); it is {settings.ApiReadBudget}.");
        }

        return settings;
    }
}
