using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Pads;

public sealed class CreateModel(NotejamApiClient api) : NotejamPageModel(api)
{
    [BindProperty]
    [Required(ErrorMessage = "Name is required.")]
    [StringLength(100, ErrorMessage = "Name is at most 100 characters.")]
    public string? Name { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var created = await Api.CreatePadAsync(Name!, Aborted);
        if (!created.Succeeded)
        {
            ShowErrors(created);
            return Page();
        }

        Flash("Pad is successfully created");
        return Redirect($"/pads/{created.Value!.Id}/");
    }
}
