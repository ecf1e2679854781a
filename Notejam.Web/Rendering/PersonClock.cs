using System.Globalization;

namespace Notejam.Web.Rendering;

/// <summary>
/// Dates as a person reads them, in their time zone where the browser told us (the "tz" cookie that
/// /js/timezone.js sets), else UTC: "Today at 10:51", "Yesterday at 18:02", "3 days ago", "02 Feb. 2013".
/// </summary>
public sealed class PersonClock(IHttpContextAccessor accessor, TimeProvider clock)
{
    public const string TimeZoneCookie = "tz";

    private TimeZoneInfo? _zone;

    public TimeZoneInfo Zone => _zone ??= FindZone(accessor.HttpContext?.Request.Cookies[TimeZoneCookie]);

    public string Friendly(DateTimeOffset moment) => Friendly(moment, clock.GetUtcNow(), Zone);

    public string Exact(DateTimeOffset moment) =>
        TimeZoneInfo.ConvertTime(moment, Zone).ToString("dd MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    public static string Friendly(DateTimeOffset moment, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(moment, zone);
        var days = (TimeZoneInfo.ConvertTime(now, zone).Date - local.Date).Days;
        var time = local.ToString("HH:mm", CultureInfo.InvariantCulture);
        return days switch
        {
            <= 0 => $"Today at {time}",
            1 => $"Yesterday at {time}",
            < 7 => $"{days} days ago",
            _ => local.ToString("dd MMM. yyyy", CultureInfo.InvariantCulture),
        };
    }

    private static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64)
        {
            return TimeZoneInfo.Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }
}
