using Microsoft.AspNetCore.Mvc;
using Notejam.Web.Api;

namespace Notejam.Web.Pages.Pads;

public sealed class DeleteModel(NotejamApiClient api) : NotejamPageModel(api)
{
    public Pad Pad { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(int id)
    {
        if (await Api.PadAsync(id, Aborted) is not { } pad)
        {
            return NotFound();
        }

        Pad = pad;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id)
    {
        if ((await Api.DeletePadAsync(id, Aborted)).NotFound)
        {
            return NotFound();
        }

        Flash("Pad is successfully deleted");
        return Redirect("/");
    }
}
