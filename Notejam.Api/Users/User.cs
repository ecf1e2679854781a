using Microsoft.AspNetCore.Identity;

namespace Notejam.Api.Users;

/// <summary>A Notejam account; its user name is its email.</summary>
public sealed class User : IdentityUser<int>;
