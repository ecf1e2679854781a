using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Identity;

namespace Notejam.Api;

/// <summary>
/// What people do with Notejam, counted on the "Notejam.Api" meter; the service defaults export every
/// "Notejam.*" meter, so these reach the Aspire dashboard next to the HTTP and database metrics.
/// A change is counted once it is saved, never when it was refused; every sign-in attempt is counted by its result.
/// </summary>
internal sealed class NotejamMetrics
{
    public const string MeterName = "Notejam.Api";

    private readonly Counter<long> _notesCreated;
    private readonly Counter<long> _notesDeleted;
    private readonly Counter<long> _padsCreated;
    private readonly Counter<long> _padsDeleted;
    private readonly Counter<long> _signIns;
    private readonly Counter<long> _lockouts;
    private readonly Counter<long> _usersRegistered;
    private readonly Counter<long> _passwordResetsRequested;
    private readonly Counter<long> _notesImported;
    private readonly Counter<long> _usersDeleted;
    private readonly Counter<long> _rateLimited;

    public NotejamMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _notesCreated = meter.CreateCounter<long>("notejam.notes.created", "{note}", "Notes created.");
        _notesDeleted = meter.CreateCounter<long>("notejam.notes.deleted", "{note}",
            "Notes deleted one by one (the notes of a deleted pad are not counted).");
        _padsCreated = meter.CreateCounter<long>("notejam.pads.created", "{pad}", "Pads created.");
        _padsDeleted = meter.CreateCounter<long>("notejam.pads.deleted", "{pad}", "Pads deleted.");
        _signIns = meter.CreateCounter<long>("notejam.signins", "{signin}",
            "Sign-in attempts, by result: succeeded, failed (wrong email or password) or locked_out (the account is locked).");
        _lockouts = meter.CreateCounter<long>("notejam.lockouts", "{lockout}",
            "Accounts locked by a failed sign-in (the attempt that reached the limit).");
        _usersRegistered = meter.CreateCounter<long>("notejam.users.registered", "{user}", "Accounts registered.");
        _passwordResetsRequested = meter.CreateCounter<long>("notejam.password_resets.requested", "{request}",
            "Password-reset links sent (requests for an address with no account are not counted).");
        _notesImported = meter.CreateCounter<long>("notejam.notes.imported", "{note}",
            "Notes added by imports (not counted in notejam.notes.created).");
        _usersDeleted = meter.CreateCounter<long>("notejam.users.deleted", "{user}", "Accounts deleted by their owners.");
        _rateLimited = meter.CreateCounter<long>("notejam.rate_limited", "{request}",
            "Requests refused with 429 by a rate limit, by limit: account-posts (per client address) or reset-mails (per email address).");
    }

    public void NoteCreated() => _notesCreated.Add(1);

    public void NoteDeleted() => _notesDeleted.Add(1);

    public void PadCreated() => _padsCreated.Add(1);

    public void PadDeleted() => _padsDeleted.Add(1);

    public void SignInAttempted(SignInResult result) => _signIns.Add(1, new KeyValuePair<string, object?>("result",
        result.Succeeded ? "succeeded" : result.IsLockedOut ? "locked_out" : "failed"));

    public void AccountLockedOut() => _lockouts.Add(1);

    public void UserRegistered() => _usersRegistered.Add(1);

    public void PasswordResetRequested() => _passwordResetsRequested.Add(1);

    public void NotesImported(int count) => _notesImported.Add(count);

    public void UserDeleted() => _usersDeleted.Add(1);

    public void RateLimited(string limit) => _rateLimited.Add(1, new KeyValuePair<string, object?>("limit", limit));
}

internal static class NotejamMetricsSetup
{
    public static IServiceCollection AddNotejamMetrics(this IServiceCollection services) => services.AddSingleton<NotejamMetrics>();
}
