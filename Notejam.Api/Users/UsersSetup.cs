using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Notejam.Api.Mail;
using Notejam.Api.Data;
using Notejam.Api.Sessions;

namespace Notejam.Api.Users;

internal static class UsersSetup
{
    /// <summary>Accounts on ASP.NET Core Identity, kept in <see cref="NotejamDb"/>; emails are the user names.</summary>
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIdentityCore<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Emails are user names; any character an email may hold is allowed.
                options.User.AllowedUserNameCharacters = "";
                options.Password.RequiredLength = 8;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Stores.SchemaVersion = NotejamDb.IdentitySchema;
            })
            .AddEntityFrameworkStores<NotejamDb>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        var resetLinkLifetime = TokenLifetimes.From(builder.Configuration).ResetLinkLifetime;
        builder.Services.Configure<DataProtectionTokenProviderOptions>(options => options.TokenLifespan = resetLinkLifetime);
        builder.AddPasskeys();
        return builder;
    }

    /// <summary>
    /// Passkeys for the site people use: the relying party is the web's public host (<c>Notejam:WebUrl</c>), not the
    /// API's, and a browser's answer counts only from the web's own origin, never from a frame of another site.
    /// </summary>
    private static void AddPasskeys(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddScoped<IPasskeyHandler<User>, PasskeyHandler<User>>();
        builder.Services.AddScoped<PasskeyCeremonies>().AddScoped<PasskeyAssertions>().AddScoped<OwnerProof>();
        builder.Services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<NotejamLinks>>((passkeys, links) =>
        {
            var site = links.Value.WebUrl;
            var origin = site.GetLeftPart(UriPartial.Authority);
            passkeys.ServerDomain = site.Host;
            passkeys.ValidateOrigin = context => ValueTask.FromResult(
                !context.CrossOrigin && string.Equals(context.Origin, origin, StringComparison.OrdinalIgnoreCase));
        });
    }
}
