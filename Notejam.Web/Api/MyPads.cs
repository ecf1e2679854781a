namespace Notejam.Web.Api;

/// <summary>The signed-in person's pads, asked of the API at most once per request (sidebar and pad select share them).</summary>
public sealed class MyPads(NotejamApiClient api, IHttpContextAccessor accessor)
{
    private Task<IReadOnlyList<Pad>>? _pads;

    public Task<IReadOnlyList<Pad>> GetAsync() =>
        _pads ??= api.PadsAsync(accessor.HttpContext?.RequestAborted ?? CancellationToken.None);
}
