namespace Notejam.Tests.Infrastructure;

/// <summary>A person of Notejam.DevTools' <see cref="SiteUser"/>, on a site the tests host themselves.</summary>
public static class SiteUserOnTestSite
{
    extension(SiteUser)
    {
        public static Task<SiteUser> SignUpAndInAsync(SiteFactory site, WebFactory? web = null) => SiteUser.SignUpAndInAsync(site.Browser(web));
    }
}
