using System.Globalization;
using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MimeKit;
using Notejam.Api.Users;

namespace Notejam.Api.Mail;

/// <summary>The SMTP server account mail goes to: the AppHost's mail sink, or the <c>Smtp:*</c> settings.</summary>
internal sealed class SmtpSettings
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 25;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool UseTls { get; set; }
    public string From { get; set; } = "Notejam <no-reply@notejam.local>";

    /// <summary>The configured server, or null when neither <c>ConnectionStrings:mail</c> nor <c>Smtp:Host</c> is set.</summary>
    public static SmtpSettings? FromConfiguration(IConfiguration configuration)
    {
        var settings = configuration.GetSection("Smtp").Get<SmtpSettings>() ?? new();
        // The AppHost's sink is smtp://host:port, without authentication or TLS.
        if (configuration.GetConnectionString("mail") is { Length: > 0 } sink)
        {
            var url = new Uri(sink);
            settings.Host = url.Host;
            settings.Port = url.Port;
        }

        return settings.Host.Length > 0 ? settings : null;
    }
}

/// <summary>Sends account mail over SMTP, for <see cref="MailOutbox"/>.</summary>
internal sealed class SmtpEmailSender(
    SmtpSettings smtp, IOptions<DataProtectionTokenProviderOptions> tokens) : IEmailSender<User>
{
    // A mail server that does not answer must not hold the outbox for MailKit's default of two minutes.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) => Task.CompletedTask;

    /// <summary>Throws when the server cannot be reached or refuses: <see cref="MailOutbox"/> tries again.</summary>
    public async Task SendPasswordResetLinkAsync(User user, string email, string resetLink)
    {
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "");
        }

        await client.SendAsync(ResetMessage(email, resetLink));
        await client.DisconnectAsync(quit: true);
    }

    internal MimeMessage ResetMessage(string email, string resetLink)
    {
        const string why = "Someone, hopefully you, asked to reset the password of your Notejam account.";
        var expiry = $"The link works once and expires in {Describe(tokens.Value.TokenLifespan)}. " +
            "If you did not ask for it, ignore this mail: your password stays as it is.";
        var message = new MimeMessage { Subject = "Reset your Notejam password" };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(new MailboxAddress("", email));
        message.Body = new BodyBuilder
        {
            TextBody = $"{why}\n\nChoose a new password here:\n{resetLink}\n\n{expiry}\n",
            HtmlBody = $"<p>{why}</p>\n<p><a href=\"{WebUtility.HtmlEncode(resetLink)}\">Choose a new password</a></p>\n<p>{expiry}</p>\n",
        }.ToMessageBody();
        return message;
    }

    private static string Describe(TimeSpan lifetime) => lifetime.TotalHours >= 1 && lifetime.Minutes == 0 && lifetime.Seconds == 0
        ? Count((int)lifetime.TotalHours, "hour")
        : Count((int)Math.Ceiling(lifetime.TotalMinutes), "minute");

    private static string Count(int n, string unit) => string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")}");
}
