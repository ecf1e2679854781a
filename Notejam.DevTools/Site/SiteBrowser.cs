using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Notejam.DevTools.Site;

/// <summary>
/// Browses the site as a browser without JavaScript does: keeps cookies, follows redirects, and posts
/// forms with every field they carry (the antiforgery token included).
/// </summary>
public sealed class SiteBrowser : IDisposable
{
    private static readonly HtmlParser Parser = new();
    private readonly HttpClient _http;

    public SiteBrowser(Uri site)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = site };
    }

    public CookieContainer Cookies { get; }

    public Uri Site => _http.BaseAddress!;

    /// <summary>Sent with every request, e.g. the X-Forwarded-For a proxy in front of the site would add.</summary>
    public System.Net.Http.Headers.HttpRequestHeaders Headers => _http.DefaultRequestHeaders;

    public Task<SitePage> GetAsync(string url) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>Fills the page's form (the first one in the content unless a selector says otherwise) and submits it.</summary>
    public Task<SitePage> SubmitAsync(SitePage page, IReadOnlyDictionary<string, string?> fields, string formSelector = "main form")
    {
        var form = page.Document.QuerySelector<IHtmlFormElement>(formSelector)
            ?? throw new SiteException($"No form '{formSelector}' on {page.Url}: {page.Document.Body?.TextContent}");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement { Name: { Length: > 0 } name } input when input.Type is not ("checkbox" or "radio") || input.IsChecked:
                    values.Add(new(name, input.Value));
                    break;
                case IHtmlTextAreaElement { Name: { Length: > 0 } name } textarea:
                    values.Add(new(name, textarea.Value));
                    break;
                case IHtmlSelectElement { Name: { Length: > 0 } name } select:
                    values.Add(new(name, select.Value ?? ""));
                    break;
            }
        }

        foreach (var (name, value) in fields)
        {
            values.RemoveAll(v => v.Key == name);
            if (value is not null)
            {
                values.Add(new(name, value));
            }
        }

        var action = form.GetAttribute("action") is { Length: > 0 } target ? new Uri(page.Url, target) : page.Url;
        return PostAsync(action.PathAndQuery, values);
    }

    public Task<SitePage> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> values) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(values) });

    /// <summary>Sends and follows redirects; the page keeps the redirects it went through.</summary>
    public async Task<SitePage> SendAsync(HttpRequestMessage request)
    {
        var redirects = new List<Uri>();
        var response = await _http.SendAsync(request);
        var url = new Uri(Site, request.RequestUri!);
        while (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
        {
            url = new Uri(url, response.Headers.Location!);
            redirects.Add(url);
            if (redirects.Count >= 10)
            {
                throw new SiteException($"Too many redirects from {request.RequestUri}: {string.Join(" -> ", redirects)}");
            }

            response.Dispose();
            response = await _http.GetAsync(url);
        }

        using (response)
        {
            var html = await response.Content.ReadAsStringAsync();
            return new SitePage(url, response.StatusCode, response.Headers, Parser.ParseDocument(html), redirects, html);
        }
    }

    public void Dispose() => _http.Dispose();
}

public sealed record SitePage(
    Uri Url, HttpStatusCode Status, System.Net.Http.Headers.HttpResponseHeaders Headers, IDocument Document, IReadOnlyList<Uri> Redirects, string Html)
{
    public string Title => Document.QuerySelector("h1.page-title")?.TextContent.Trim() ?? "";

    public string? Flash => Document.QuerySelector(".alert-success")?.TextContent.Trim();

    public string? Error => Document.QuerySelector(".alert-error")?.TextContent.Trim();

    public string? SignedInAs => Document.QuerySelector(".account-email")?.TextContent.Trim().TrimEnd(':');

    public string FieldError(string field) =>
        Document.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent.Trim() ?? "";

    public string? Value(string field) => Document.QuerySelector($"[name='{field}']") switch
    {
        IHtmlInputElement input => input.Value,
        IHtmlTextAreaElement textarea => textarea.Value,
        IHtmlSelectElement select => select.Value,
        _ => null,
    };

    public IReadOnlyList<string> NoteNames =>
        [.. Document.QuerySelectorAll("table.notes td.note-name a").Select(a => a.TextContent.Trim())];

    public IReadOnlyList<string> PadNames =>
        [.. Document.QuerySelectorAll("aside.sidebar ul.pads a").Select(a => a.TextContent.Trim())];

    /// <summary>The id in a URL such as /notes/12/ or /pads/3/.</summary>
    public int IdInUrl => int.Parse(Url.Segments[2].TrimEnd('/'), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The site did not do what a person using it expects (a form missing, a redirect loop, a refused sign-up).</summary>
public sealed class SiteException(string message) : Exception(message);
