namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>Notejam.Api probe [URL]</c>, <c>Notejam.Web probe [URL]</c>: asks a running service's <c>/health</c> and exits 0 when
/// it answers 200 within 3 s, else 1; for a container engine's health check, since the images have no shell and no
/// curl (the chiseled base). The default URL is this container's own: port <c>ASPNETCORE_HTTP_PORTS</c> (8080 in the
/// images) on 127.0.0.1. It returns before any host is built, so a probe costs a process start and one request.
/// </summary>
public static class HealthProbe
{
    public static void ExitIfAsked(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["probe", ..])
        {
            Environment.Exit(Probe(args.Length > 1 ? new Uri(args[1]) : OwnHealth()));
        }
    }

    private static Uri OwnHealth()
    {
        var ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "8080";
        return new Uri($"http://127.0.0.1:{ports.Split([',', ';'])[0].Trim()}{Extensions.HealthPath}");
    }

    private static int Probe(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{url}: {exception.Message}");
            return 1;
        }
    }
}
