using Microsoft.AspNetCore.WebUtilities;

namespace Notejam.Api.Mail;

/// <summary>Where the reset link in a forgot-password mail points (<c>Notejam:WebUrl</c>).</summary>
public sealed class NotejamLinks
{
    public Uri WebUrl { get; set; } = new("http://localhost:5000/");

    public Uri ResetPassword(string email, string token) => new(WebUrl,
        QueryHelpers.AddQueryString("reset-password/", new Dictionary<string, string?> { ["email"] = email, ["token"] = token }));
}
