using System.Globalization;
using System.Text;

namespace Notejam.Api.Transfer;

/// <summary>
/// File and folder names made from note and pad names: safe on Windows, macOS and Linux, and unique within their folder
/// whatever the case ("Plans", "plans (2)"), as case-insensitive file systems need.
/// </summary>
internal sealed class SafeFileNames(IEnumerable<string> taken)
{
    private const int MaxLength = 100;
    private static readonly char[] Unsafe = ['<', '>', ':', '"', '/', '\\', '|', '?', '*'];
    private static readonly HashSet<string> Reserved = new(
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(1, 9).SelectMany(i => new[] { $"COM{i}", $"LPT{i}" })],
        StringComparer.OrdinalIgnoreCase);

    private readonly HashSet<string> _taken = new(taken, StringComparer.OrdinalIgnoreCase);

    /// <summary>A safe form of the name, not yet taken in this folder; it is taken from now on.</summary>
    public string Add(string name)
    {
        var safe = Safe(name);
        var unique = safe;
        for (var copy = 2; !_taken.Add(unique); copy++)
        {
            unique = string.Create(CultureInfo.InvariantCulture, $"{safe} ({copy})");
        }

        return unique;
    }

    public static string Safe(string name)
    {
        var safe = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormC))
        {
            safe.Append(char.IsControl(c) || Array.IndexOf(Unsafe, c) >= 0 ? '_' : c);
        }

        var text = safe.ToString();
        if (text.Length > MaxLength)
        {
            // Never split a surrogate pair.
            text = text[..(char.IsHighSurrogate(text[MaxLength - 1]) ? MaxLength - 1 : MaxLength)];
        }

        // Windows drops trailing dots and spaces, and a leading dot hides a file elsewhere.
        text = text.Trim().TrimEnd('.').TrimStart('.').Trim();
        if (text.Length == 0)
        {
            return "Untitled";
        }

        return Reserved.Contains(text.Split('.')[0]) ? "_" + text : text;
    }
}
