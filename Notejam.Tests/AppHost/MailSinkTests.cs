using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

/// <summary>Password-reset mail, sent by the API over SMTP to the AppHost's mail sink (smtp4dev) and read back from its HTTP API.</summary>
[Trait(TestLayers.Name, TestLayers.AppHost)]
[Collection(AppHostTests.Name)]
public sealed class MailSinkTests(AppHostFixture topology)
{
    [Fact]
    public async Task A_forgotten_password_is_mailed_with_a_reset_link_to_the_site_and_never_the_password()
    {
        await topology.SnapshotAsync("mail", s => s.HealthStatus == HealthStatus.Healthy);
        using var api = topology.App.CreateHttpClient("api");
        using var sink = topology.App.CreateHttpClient("mail", "http");
        var email = ApiUser.NewEmail();
        const string password = "never in a mail 1";
        (await api.PostAsJsonAsync("/users/register", new { email, password, repeatPassword = password })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync("/users/forgot-password", new { email })).StatusCode);

        var body = await MailSink.PlainTextMailToAsync(sink, email);
        var resetPage = new Uri(topology.App.GetEndpoint("web", "http"), "/reset-password/?").AbsoluteUri;
        var link = new Uri(body.Split(['\r', '\n', ' ']).Single(word => word.StartsWith(resetPage, StringComparison.Ordinal)));
        Assert.DoesNotContain(password, body, StringComparison.Ordinal);

        // The link survives the trip through SMTP: its token sets a new password.
        var query = QueryHelpers.ParseQuery(link.Query);
        var reset = await api.PostAsJsonAsync("/users/reset-password", new
        {
            email = query["email"].ToString(), token = query["token"].ToString(), newPassword = "from the mail 1", repeatNewPassword = "from the mail 1",
        });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
    }
}
