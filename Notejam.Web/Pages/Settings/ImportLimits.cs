namespace Notejam.Web.Pages.Settings;

/// <summary>What an uploaded export may weigh: the API takes 20 MB of JSON.</summary>
public static class ImportLimits
{
    public const int MaxFileMegabytes = 20;
    public const long MaxFileBytes = MaxFileMegabytes * 1024L * 1024L;

    /// <summary>The whole request may be larger, so a file just over the limit gets a clear answer, not a broken upload.</summary>
    public const long MaxRequestBytes = 2 * MaxFileBytes;
}
