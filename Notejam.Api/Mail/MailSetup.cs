using Microsoft.AspNetCore.Identity;
using Notejam.Api.Users;

namespace Notejam.Api.Mail;

internal static class MailSetup
{
    /// <summary>
    /// Account mail: to the AppHost's sink or the configured server; with neither, reset links go to the log. Either way
    /// it leaves from the outbox, after the request has been answered.
    /// </summary>
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (SmtpSettings.FromConfiguration(builder.Configuration) is { } smtp)
        {
            services.AddSingleton(smtp);
            services.AddKeyedSingleton<IEmailSender<User>, SmtpEmailSender>(MailOutbox.Delivery);
        }
        else
        {
            services.AddKeyedSingleton<IEmailSender<User>, LoggingEmailSender>(MailOutbox.Delivery);
        }

        services.AddSingleton<MailOutbox>();
        services.AddSingleton<IEmailSender<User>>(provider => provider.GetRequiredService<MailOutbox>());
        services.AddHostedService(provider => provider.GetRequiredService<MailOutbox>());
        services.Configure<NotejamLinks>(builder.Configuration.GetSection("Notejam"));
        return builder;
    }
}
