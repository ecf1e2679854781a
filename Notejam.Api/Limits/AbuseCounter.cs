namespace Notejam.Api.Limits;

/// <summary>How often one client address or mailbox did something an attacker does, in the current window.</summary>
public sealed class AbuseCounter
{
    public string Key { get; set; } = "";

    public DateTimeOffset WindowEnds { get; set; }

    public int Count { get; set; }
}
