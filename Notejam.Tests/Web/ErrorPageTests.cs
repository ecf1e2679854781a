using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>Security review: <c>/error/?code=-1</c> wrote the status line <c>HTTP/1.1 -1</c>; any number was echoed.</summary>
[Collection(SiteTests.Name)]
public sealed class ErrorPageTests(SiteFactory site)
{
    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("200")]
    [InlineData("302")]
    [InlineData("399")]
    [InlineData("600")]
    [InlineData("99999")]
    [InlineData("2147483648")]
    [InlineData("abc")]
    [InlineData("%2B404")]
    [InlineData("404.0")]
    public async Task Error_page_takes_only_error_codes_and_answers_anything_else_as_not_found(string code)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ServerAddress.Of(site.Web) };

        using var response = await http.GetAsync($"/error/?code={code}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(599)]
    public async Task Error_page_answers_an_error_code_with_that_code(int code)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ServerAddress.Of(site.Web) };

        using var response = await http.GetAsync($"/error/?code={code}");

        Assert.Equal(code, (int)response.StatusCode);
    }
}
