using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Notejam.Api.Notes;

internal static class NotesSetup
{
    /// <summary>What the note endpoints (and imports) need: <c>Notejam:Quota</c> and <c>Notejam:History</c>, checked at start, and the clock.</summary>
    public static IServiceCollection AddNotes(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<NoteQuota>().BindConfiguration(NoteQuota.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NoteHistoryOptions>().BindConfiguration(NoteHistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
