using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;
using Notejam.Api.Users;

namespace Notejam.Api.Mail;

/// <summary>
/// Account mail leaves from here, after the request has been answered: a slow or failing mail server shows in nobody's
/// response time, so forgot-password takes as long for a known address as for an unknown one. Each mail is tried
/// <see cref="Attempts"/> times with growing pauses, then logged as lost (the person can ask again). The queue is held in
/// memory and bounded: a mail still queued when the process stops is lost the same way.
/// </summary>
internal sealed partial class MailOutbox(
    [FromKeyedServices(MailOutbox.Delivery)] IEmailSender<User> delivery, ILogger<MailOutbox> logger) : BackgroundService, IEmailSender<User>
{
    /// <summary>The key of the sender that really delivers (SMTP, or the log).</summary>
    public const string Delivery = "delivery";

    public const int Attempts = 3;

    private readonly Channel<(User User, string Email, string Link, ActivityContext? Request)> _queue =
        Channel.CreateBounded<(User, string, string, ActivityContext?)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The pause before the second and later attempts (tests shorten it).</summary>
    public TimeSpan RetryPause { get; set; } = TimeSpan.FromSeconds(2);

    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) => Task.CompletedTask;

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink)
    {
        if (!_queue.Writer.TryWrite((user, email, resetLink, Activity.Current?.Context)))
        {
            LogQueueFull(email);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (user, email, link, request) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                // The sending belongs to the request that asked for it: its logs and spans carry that trace id.
                using var sending = request is { } parent
                    ? new Activity("Notejam.MailOutbox.Send").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start()
                    : null;
                await DeliverAsync(user, email, link, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is lost, as the summary says.
        }
    }

    private async Task DeliverAsync(User user, string email, string link, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await delivery.SendPasswordResetLinkAsync(user, email, link);
                return;
            }
            catch (Exception error) when (attempt < Attempts)
            {
                LogRetrying(error, email, attempt);
                await Task.Delay(RetryPause * attempt, stoppingToken);
            }
            catch (Exception error)
            {
                LogLost(error, email, attempt);
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Sending the password reset mail to {Email} failed (attempt {Attempt}); trying again")]
    private partial void LogRetrying(Exception error, string email, int attempt);

    [LoggerMessage(LogLevel.Error, "Could not send the password reset mail to {Email} after {Attempts} attempts")]
    private partial void LogLost(Exception error, string email, int attempts);

    [LoggerMessage(LogLevel.Error, "The mail queue is full; the password reset mail to {Email} was dropped")]
    private partial void LogQueueFull(string email);
}
