using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notejam.Api.Users;

namespace Notejam.Tests.Mail;

/// <summary>The SMTP sender on its own: settings, the message it writes, and a server that cannot be reached.</summary>
public sealed class SmtpEmailSenderTests
{
    private const string Link = "http://notejam.test/reset-password/?email=a%40example.com&token=abc";

    [Fact]
    public void The_apphosts_mail_sink_wins_and_nothing_configured_means_no_smtp()
    {
        var sink = SmtpSettings.FromConfiguration(Configuration(("ConnectionStrings:mail", "smtp://localhost:2525"), ("Smtp:Host", "smtp.example")));
        var production = SmtpSettings.FromConfiguration(Configuration(("Smtp:Host", "smtp.example"), ("Smtp:Port", "587"), ("Smtp:UseTls", "true")));

        Assert.Equal(("localhost", 2525), (sink?.Host, sink?.Port));
        Assert.Equal(("smtp.example", 587, true), (production?.Host, production?.Port, production?.UseTls));
        Assert.Equal("Notejam <no-reply@notejam.local>", production?.From);
        Assert.Null(SmtpSettings.FromConfiguration(Configuration()));
    }

    [Fact]
    public void The_reset_mail_has_the_link_in_text_and_html_and_says_how_long_it_works()
    {
        var message = Sender(new SmtpSettings { Host = "localhost" }, TimeSpan.FromMinutes(30), new ListLogger()).ResetMessage("a@example.com", Link);

        Assert.Equal("Reset your Notejam password", message.Subject);
        Assert.Equal("a@example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Contains(Link, message.TextBody, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(Link), message.HtmlBody, StringComparison.Ordinal);
        Assert.All([message.TextBody, message.HtmlBody], body =>
            Assert.Contains("works once and expires in 30 minutes", body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_is_logged_not_thrown()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var log = new ListLogger();

        await Sender(new SmtpSettings { Host = "127.0.0.1", Port = port }, TimeSpan.FromHours(2), log)
            .SendPasswordResetLinkAsync(new User(), "a@example.com", Link);

        var (level, exception) = Assert.Single(log.Entries);
        Assert.Equal(LogLevel.Error, level);
        Assert.NotNull(exception);
    }

    private static SmtpEmailSender Sender(SmtpSettings smtp, TimeSpan lifetime, ListLogger log) =>
        new(smtp, Options.Create(new DataProtectionTokenProviderOptions { TokenLifespan = lifetime }), log);

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private sealed class ListLogger : ILogger<SmtpEmailSender>
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception));
    }
}
