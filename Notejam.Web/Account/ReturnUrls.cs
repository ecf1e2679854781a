using System.Text;

namespace Notejam.Web.Account;

/// <summary>
/// Return URLs after signing in: a path on this site, of any characters, made safe for a Location header; anything
/// else (another site, <c>//host</c>, <c>/\host</c>, control characters, absurd lengths) is no return URL at all.
/// </summary>
public static class ReturnUrls
{
    /// <summary>Longer than any URL this site links to; proxies refuse much longer Location headers.</summary>
    public const int MaxLength = 2048;

    /// <summary>
    /// The URL, percent-encoded where a header needs it (non-ASCII, spaces, backslashes), or null when it is not a
    /// path on this site. Existing %XX escapes are kept as they are, so an encoded URL is not encoded twice.
    /// </summary>
    public static string? ToLocation(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > MaxLength || returnUrl[0] != '/')
        {
            return null;
        }

        // "//host" and "/\host" are other sites to a browser, and browsers drop tabs and newlines before parsing.
        if (returnUrl.Length > 1 && returnUrl[1] is '/' or '\\')
        {
            return null;
        }

        var location = new StringBuilder(returnUrl.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < returnUrl.Length; i++)
        {
            var c = returnUrl[i];
            if (char.IsControl(c))
            {
                return null;
            }

            if (c is > ' ' and < '\u007f' and not ('"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}'))
            {
                location.Append(c);
                continue;
            }

            // A lone surrogate has no UTF-8: not a URL anyone was sent from.
            if (!Rune.TryGetRuneAt(returnUrl, i, out var rune))
            {
                return null;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                location.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            i += rune.Utf16SequenceLength - 1;
        }

        return location.Length > MaxLength ? null : location.ToString();
    }
}
