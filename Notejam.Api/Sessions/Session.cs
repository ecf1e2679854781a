namespace Notejam.Api.Sessions;

/// <summary>
/// One signed-in session: what a sign-in started and each refresh continues. Every access and refresh token names its
/// session; a token whose session is gone is refused on the next request, on every replica.
/// </summary>
public sealed class Session
{
    public Guid Id { get; set; }

    public int UserId { get; set; }

    /// <summary>Which refresh token is the current one: each refresh uses it up and issues the next.</summary>
    public int Generation { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RotatedAt { get; set; }
}
