using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Notejam.Api.Mail;
using Notejam.Api.Users;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Mail;

/// <summary>The SMTP sender and the outbox it sends for: settings, the message, a server that cannot be reached or fails.</summary>
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
        var message = Sender(new SmtpSettings { Host = "localhost" }, TimeSpan.FromMinutes(30)).ResetMessage("a@example.com", Link);

        Assert.Equal("Reset your Notejam password", message.Subject);
        Assert.Equal("a@example.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Contains(Link, message.TextBody, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(Link), message.HtmlBody, StringComparison.Ordinal);
        Assert.All([message.TextBody, message.HtmlBody], body =>
            Assert.Contains("works once and expires in 30 minutes", body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_throws_so_the_outbox_tries_again()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        await Assert.ThrowsAnyAsync<SocketException>(() =>
            Sender(new SmtpSettings { Host = "127.0.0.1", Port = port }, TimeSpan.FromHours(2)).SendPasswordResetLinkAsync(new User(), "a@example.com", Link));
    }

    [Fact]
    public async Task The_outbox_tries_a_failing_server_again_and_logs_a_mail_it_could_not_send()
    {
        var flaky = new FlakyDelivery(failures: 2);
        var down = new FlakyDelivery(failures: int.MaxValue);
        var flakyLog = new ListLogger<MailOutbox>();
        var downLog = new ListLogger<MailOutbox>();
        using var flakyOutbox = new MailOutbox(flaky, flakyLog) { RetryPause = TimeSpan.FromMilliseconds(10) };
        using var downOutbox = new MailOutbox(down, downLog) { RetryPause = TimeSpan.FromMilliseconds(10) };
        await flakyOutbox.StartAsync(CancellationToken.None);
        await downOutbox.StartAsync(CancellationToken.None);

        await flakyOutbox.SendPasswordResetLinkAsync(new User(), "a@example.com", Link);
        await downOutbox.SendPasswordResetLinkAsync(new User(), "b@example.com", Link);
        await Eventually.TrueAsync(() => flaky.Delivered == 1 && downLog.Entries.Any(e => e.Level == LogLevel.Error), TimeSpan.FromSeconds(10));

        Assert.Equal((3, 1), (flaky.Attempts, flaky.Delivered));
        Assert.Equal(MailOutbox.Attempts, down.Attempts);
        Assert.Equal(2, flakyLog.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.NotNull(Assert.Single(downLog.Entries, e => e.Level == LogLevel.Error).Exception);
        await flakyOutbox.StopAsync(CancellationToken.None);
        await downOutbox.StopAsync(CancellationToken.None);
    }

    private static SmtpEmailSender Sender(SmtpSettings smtp, TimeSpan lifetime) =>
        new(smtp, Options.Create(new DataProtectionTokenProviderOptions { TokenLifespan = lifetime }));

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private sealed class ListLogger<T> : ILogger<T>
    {
        public ConcurrentQueue<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, exception));
    }

    /// <summary>A mail server that refuses the first <c>failures</c> attempts.</summary>
    private sealed class FlakyDelivery(int failures) : IEmailSender<User>
    {
        private int _attempts;
        private int _delivered;

        public int Attempts => Volatile.Read(ref _attempts);

        public int Delivered => Volatile.Read(ref _delivered);

        public Task SendPasswordResetLinkAsync(User user, string email, string resetLink)
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new IOException("The mail server refused.");
            }

            Interlocked.Increment(ref _delivered);
            return Task.CompletedTask;
        }

        public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) => Task.CompletedTask;

        public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) => Task.CompletedTask;
    }
}
