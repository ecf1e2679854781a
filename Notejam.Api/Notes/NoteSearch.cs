using System.Text.RegularExpressions;
using NpgsqlTypes;

namespace Notejam.Api.Notes;

/// <summary>
/// Turns what a person typed into a PostgreSQL text-search query without ever parsing their text as query syntax:
/// the words become lexemes of an <see cref="NpgsqlTsQuery"/> tree (sent to PostgreSQL as a binary parameter), all
/// of them required, the last one also matching as a prefix so that a half-typed word already finds notes.
/// </summary>
public static partial class NoteSearch
{
    /// <summary>
    /// The text-search configuration of <c>Notes.SearchVector</c> and of every query against it. 'simple' only lower-cases:
    /// notes are written in any language, and an English stemmer would mangle the others and drop their short words
    /// (and ours: "the", "it"); prefix matching on the last word gives back most of what stemming would.
    /// </summary>
    public const string Configuration = "simple";

    public const int MaxQueryLength = 200;

    /// <summary>Words as PostgreSQL's parser sees them: letters and digits, kept whole across an inner '.', '@' or '-' (hosts, emails, e-mail).</summary>
    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+(?:[.@-][\p{L}\p{M}\p{N}]+)*")]
    private static partial Regex Word();

    /// <summary>The query for <paramref name="text"/>, or null when it holds no word to look for (only punctuation, say).</summary>
    public static NpgsqlTsQuery? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var words = Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (words.Count == 0)
        {
            return null;
        }

        NpgsqlTsQuery query = new NpgsqlTsQueryLexeme(words[^1], NpgsqlTsQueryLexeme.Weight.None, isPrefixSearch: true);
        for (var i = words.Count - 2; i >= 0; i--)
        {
            query = new NpgsqlTsQueryAnd(new NpgsqlTsQueryLexeme(words[i]), query);
        }

        return query;
    }
}
