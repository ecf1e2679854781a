namespace Notejam.Web.Pages;

/// <summary>"‹ Previous  Page 2 of 5  Next ›" under a list, with the link to each page.</summary>
public sealed record Pagination(int Page, int PageCount, Func<int, string> Link);
