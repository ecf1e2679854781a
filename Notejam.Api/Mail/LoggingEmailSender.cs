using Microsoft.AspNetCore.Identity;
using Notejam.Api.Users;

namespace Notejam.Api.Mail;

/// <summary>Writes account mail to the log where no SMTP server is configured.</summary>
internal sealed partial class LoggingEmailSender(ILogger<LoggingEmailSender> logger) : IEmailSender<User>
{
    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) => Task.CompletedTask;

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink)
    {
        LogResetLink(email, resetLink);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Password reset link for {Email}: {ResetLink}")]
    private partial void LogResetLink(string email, string resetLink);
}
