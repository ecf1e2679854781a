using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Pads;

public sealed class EditModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [FromRoute]
    public int Id { get; set; }

    [BindProperty]
    [Required(ErrorMessage = "Name is required.")]
    [StringLength(100, ErrorMessage = "Name is at most 100 characters.")]
    public string? Name { get; set; }

    [BindProperty]
    public uint Version { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await Api.PadAsync(Id, Aborted) is not { } pad)
        {
            return NotFound();
        }

        (Name, Version) = (pad.Name, pad.Version);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return await Api.PadAsync(Id, Aborted) is null ? NotFound() : Page();
        }

        var renamed = await Api.RenamePadAsync(Id, Name!, Version, Aborted);
        if (renamed.NotFound)
        {
            return NotFound();
        }

        if (renamed.Conflict)
        {
            ShowError("This pad was changed since you opened it. Reload the page to see its current name.");
            return Page();
        }

        if (!renamed.Succeeded)
        {
            ShowErrors(renamed);
            return Page();
        }

        Flash("Pad is successfully updated");
        return Redirect($"/pads/{Id}/");
    }
}
