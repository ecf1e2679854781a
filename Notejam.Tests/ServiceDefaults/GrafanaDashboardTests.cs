using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// deploy/grafana/notejam-dashboard.json queries only metrics the apps export: every metric name in its
/// PromQL is found in a scrape of the api's or the web's /metrics after both have served requests.
/// </summary>
[Collection(SiteTests.Name)]
public sealed partial class GrafanaDashboardTests(SiteFactory site)
{
    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported_by_the_api_or_the_web()
    {
        var queried = QueriedMetrics(DashboardPath());
        using var api = site.Api.AnotherReplica(web => web.UseSetting(Extensions.PrometheusSetting, "true"));
        var web = site.StartWeb(ServerAddress.Of(api), builder => builder.UseSetting(Extensions.PrometheusSetting, "true"));
        using var apiHttp = api.CreateClient();
        using var webHttp = web.CreateClient();

        // Traffic for every panel: sign-ins of each result, a note, a deletion, and pages of the site.
        var email = ApiUser.NewEmail();
        (await apiHttp.PostAsJsonAsync("/users/register", new { email, password = ApiUser.DefaultPassword, repeatPassword = ApiUser.DefaultPassword }))
            .EnsureSuccessStatusCode();
        await apiHttp.PostAsJsonAsync("/users/signin", new { email, password = "wrong password" });
        var tokens = await ApiUser.SignInAsync(apiHttp, email, ApiUser.DefaultPassword);
        apiHttp.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        var note = await (await apiHttp.PostAsJsonAsync("/notes", new { name = "Charted", text = "On the dashboard" })).Content.ReadFromJsonAsync<JsonElement>();
        (await apiHttp.DeleteAsync(new Uri($"/notes/{note.GetProperty("id").GetInt32()}", UriKind.Relative))).EnsureSuccessStatusCode();
        apiHttp.DefaultRequestHeaders.Authorization = null;
        (await webHttp.GetAsync(new Uri("/signin/", UriKind.Relative))).EnsureSuccessStatusCode();

        var exported = (await PrometheusScrape.ReadAsync(apiHttp)).Names
            .Concat((await PrometheusScrape.ReadAsync(webHttp)).Names)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("notejam_signins_total", queried);
        Assert.Contains("db_client_connection_count", queried);
        Assert.All(queried, metric => Assert.Contains(metric, exported));
    }

    [Fact]
    public void The_metric_names_are_read_from_promql_without_functions_labels_or_ranges()
    {
        Assert.Equal(
            ["http_server_request_duration_seconds_bucket", "notejam_signins_total"],
            MetricsIn("""histogram_quantile(0.95, sum by (job, le) (rate(http_server_request_duration_seconds_bucket{job=~"$service", http_route!="/x"}[$__rate_interval]))) / on (job) group_left sum without (result) (increase(notejam_signins_total[5m] offset 1h))""").Order());
        Assert.Equal(["http_server_request_duration_seconds_count"], MetricsIn("label_values(http_server_request_duration_seconds_count, job)"));
    }

    private static string DashboardPath() => Path.Combine(ManifestTests.RepositoryRoot(), "deploy", "grafana", "notejam-dashboard.json");

    /// <summary>The metric names of every panel query and every query variable of a dashboard.</summary>
    private static SortedSet<string> QueriedMetrics(string path)
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(path));
        var queries = new List<string>();
        foreach (var panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            queries.AddRange(panel.GetProperty("targets").EnumerateArray().Select(target => target.GetProperty("expr").GetString()!));
        }

        foreach (var variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                queries.Add(variable.GetProperty("definition").GetString()!);
            }
        }

        Assert.NotEmpty(queries);
        return new SortedSet<string>(queries.SelectMany(MetricsIn), StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan",
    };

    /// <summary>
    /// The metric names of one PromQL expression: what is left once strings, label matchers, ranges,
    /// grouping clauses, numbers and function calls are taken out.
    /// </summary>
    private static IEnumerable<string> MetricsIn(string promql)
    {
        var labelValues = LabelValues().Match(promql);
        if (labelValues.Success)
        {
            return [labelValues.Groups["metric"].Value];
        }

        var bare = Strings().Replace(promql, "");
        bare = Braces().Replace(bare, " ");
        bare = Brackets().Replace(bare, " ");
        bare = Grouping().Replace(bare, " ");
        return Identifiers().Matches(bare)
            .Where(m => !m.Groups["call"].Success && !Keywords.Contains(m.Groups["name"].Value))
            .Select(m => m.Groups["name"].Value)
            .Distinct();
    }

    [GeneratedRegex("""^\s*label_values\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*,""")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.$])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifiers();
}
