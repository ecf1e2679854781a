namespace Notejam.Api.Sessions;

/// <summary>
/// How long an access token and a password-reset link live: <c>Notejam:AccessTokenLifetime</c> (30 min) and
/// <c>Notejam:ResetLinkLifetime</c> (2 h), bound once at start. A value out of range (not positive, or more than a day and a week) stops the start with a message
/// naming the setting (a negative lifetime would otherwise make every token expire at once, silently).
/// </summary>
public sealed class TokenLifetimes
{
    public const string Section = "Notejam";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(2);

    public static TokenLifetimes From(IConfiguration configuration)
    {
        var lifetimes = configuration.GetSection(Section).Get<TokenLifetimes>() ?? new TokenLifetimes();
        Check(nameof(AccessTokenLifetime), lifetimes.AccessTokenLifetime, TimeSpan.FromDays(1));
        Check(nameof(ResetLinkLifetime), lifetimes.ResetLinkLifetime, TimeSpan.FromDays(7));
        return lifetimes;
    }

    private static void Check(string name, TimeSpan value, TimeSpan most)
    {
        if (value <= TimeSpan.Zero || value > most)
        {
            throw new InvalidOperationException($"{Section}:{name} must be more than 00:00:00 and at most {most}; it is {value}.");
        }
    }
}
