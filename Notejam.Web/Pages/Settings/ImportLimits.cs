using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Notejam.Web.Pages.Settings;

/// <summary>What an uploaded export may weigh: what the API takes (<see cref="NotejamLimits.ImportMaxBytes"/>).</summary>
public static class ImportLimits
{
    public const int MaxFileMegabytes = NotejamLimits.ImportMaxMegabytes;
    public const long MaxFileBytes = NotejamLimits.ImportMaxBytes;

    /// <summary>The whole request may be larger, so a file just over the limit gets a clear answer, not a broken upload.</summary>
    public const long MaxRequestBytes = 2 * MaxFileBytes;
}

/// <summary>
/// Answers an upload declared larger than <see cref="ImportLimits.MaxRequestBytes"/> with 413 (the error page says why)
/// before antiforgery reads the form, which would fail on it and call it a bad request.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RefuseOversizedUploadsAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    public int Order => -1;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.HttpContext.Request.ContentLength > ImportLimits.MaxRequestBytes)
        {
            context.Result = new StatusCodeResult(StatusCodes.Status413PayloadTooLarge);
        }
    }
}
