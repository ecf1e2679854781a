using System.ComponentModel.DataAnnotations;
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

    public IReadOnlyList<Pad> Pads { get; private set; } = [];

    public abstract string SubmitLabel { get; }

    protected async Task LoadPadsAsync() => Pads = await myPads.GetAsync();
}
