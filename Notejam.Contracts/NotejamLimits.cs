namespace Notejam.Contracts;

/// <summary>The limits the API enforces and the site's forms say before a request is sent.</summary>
public static class NotejamLimits
{
    /// <summary>Characters of a pad's or a note's name.</summary>
    public const int NameMaxLength = 100;

    /// <summary>Characters of a note's text (Markdown).</summary>
    public const int TextMaxLength = 100_000;

    /// <summary>Characters of a password.</summary>
    public const int PasswordMaxLength = 128;

    /// <summary>Megabytes of an uploaded account export, as people read it.</summary>
    public const int ImportMaxMegabytes = 20;

    /// <summary>Bytes of an uploaded account export.</summary>
    public const int ImportMaxBytes = ImportMaxMegabytes * 1024 * 1024;
}
