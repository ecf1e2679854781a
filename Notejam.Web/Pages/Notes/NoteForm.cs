using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;
using Notejam.Web.Rendering;

namespace Notejam.Web.Pages.Notes;

/// <summary>The fields of the create and edit pages, which show the same form.</summary>
public abstract class NoteForm(NotejamApiClient api, MyPads myPads) : NotejamPageModel(api)
{
    private const string TextTooLong = "Text is at most 100,000 characters.";

    [BindProperty]
    [Required(ErrorMessage = "Name is required.")]
    [StringLength(100, ErrorMessage = "Name is at most 100 characters.")]
    public string? Name { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Text is required.")]
    [StringLength(NoteMarkdown.MaxLength, ErrorMessage = TextTooLong)]
    public string? Text { get; set; }

    [BindProperty]
    [Display(Name = "Pad")]
    public int? PadId { get; set; }

    /// <summary>Sent by the form's Preview button (and not by its save button).</summary>
    [BindProperty(Name = "preview")]
    public string? PreviewButton { get; set; }

    /// <summary>The text as the note page will show it, below the form, after a press on Preview.</summary>
    public IHtmlContent? Preview { get; private set; }

    public IReadOnlyList<Pad> Pads { get; private set; } = [];

    public abstract string SubmitLabel { get; }

    protected async Task LoadPadsAsync() => Pads = await myPads.GetAsync();

    /// <summary>
    /// When Preview was pressed: renders the text for the form to show again with what was typed, saving nothing and
    /// complaining about nothing yet, except a text too long to render, which gets its error and no preview.
    /// </summary>
    protected bool PreviewRequested()
    {
        if (PreviewButton is null)
        {
            return false;
        }

        ModelState.Clear();
        if (Text is { Length: > NoteMarkdown.MaxLength })
        {
            // Checked before rendering: the form accepts up to 4 MB, and the length is the first bound on render cost.
            ModelState.AddModelError(nameof(Text), TextTooLong);
            return true;
        }

        Preview = NoteMarkdown.ToHtml(Text ?? "");
        return true;
    }
}
