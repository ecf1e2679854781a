using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Notes;

/// <summary>The fields of the create and edit pages, which show the same form.</summary>
public abstract class NoteForm(NotejamApiClient api, MyPads myPads) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Name is required.")]
    [StringLength(100, ErrorMessage = "Name is at most 100 characters.")]
    public string? Name { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Text is required.")]
    [StringLength(100_000, ErrorMessage = "Text is at most 100,000 characters.")]
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
    /// complaining about nothing yet.
    /// </summary>
    protected bool PreviewRequested()
    {
        if (PreviewButton is null)
        {
            return false;
        }

        ModelState.Clear();
        Preview = NoteMarkdown.ToHtml(Text ?? "");
        return true;
    }
}
