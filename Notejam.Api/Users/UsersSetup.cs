using Microsoft.AspNetCore.Identity;
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
            })
            .AddEntityFrameworkStores<NotejamDb>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        var resetLinkLifetime = TokenLifetimes.From(builder.Configuration).ResetLinkLifetime;
        builder.Services.Configure<DataProtectionTokenProviderOptions>(options => options.TokenLifespan = resetLinkLifetime);
        return builder;
    }
}
