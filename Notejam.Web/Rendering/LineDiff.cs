using DiffPlex;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Notejam.Web.Rendering;

/// <summary>What changed from one text to the next, line by line (DiffPlex), as a note's history shows it.</summary>
public static class LineDiff
{
    public enum Change
    {
        Same,
        Added,
        Removed,
    }

    public sealed record Line(Change Change, string Text);

    private static readonly InlineDiffBuilder Builder = new(new Differ());

    /// <summary>The lines of <paramref name="after"/>, with the lines of <paramref name="before"/> it no longer has, in order.</summary>
    public static IReadOnlyList<Line> Between(string before, string after) =>
    [
        .. Builder.BuildDiffModel(before, after, ignoreWhitespace: false).Lines.Select(line => new Line(
            line.Type switch
            {
                ChangeType.Inserted => Change.Added,
                ChangeType.Deleted => Change.Removed,
                _ => Change.Same,
            },
            line.Text ?? "")),
    ];
}
