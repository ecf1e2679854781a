using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Notejam.DevTools.Site;
using Npgsql;

namespace Notejam.DevTools.Load;

/// <summary>
/// Steady load on the site, as people make it: each client is a person (own account, own address in
/// X-Forwarded-For, a pad and a note made through the forms) who reads one of their pages (all notes, by name, their
/// pad, their note) or writes a note through the form. Every answer is recorded, and every note the site acknowledged
/// (a redirect to the new note) can afterwards be looked up in PostgreSQL. The fault tests and bench/soak.sh
/// (<c>Notejam.DevTools load</c>) both use it.
/// </summary>
public sealed partial class SiteLoad : IDisposable
{
    /// <summary>Longer than the site's own 12 s budget for an API call: anything past it is a hang.</summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(15);

    private readonly List<Person> _people;
    private readonly Stopwatch _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly double _writeShare;
    private readonly string _tag;
    private List<Task<List<Outcome>>> _running = [];

    private SiteLoad(List<Person> people, double writeShare, string tag) => (_people, _writeShare, _tag) = (people, writeShare, tag);

    public TimeSpan Elapsed => _clock.Elapsed;

    public static async Task<SiteLoad> StartAsync(Uri site, int clients, double writeShare)
    {
        var tag = $"load-{Guid.NewGuid():N}"[..13];
        var people = new List<Person>();
        for (var i = 0; i < clients; i++)
        {
            var address = $"198.18.{i / 200}.{(i % 200) + 1}";
            var browser = new SiteBrowser(site);
            browser.Headers.Add("X-Forwarded-For", address);
            using var user = await SiteUser.SignUpAndInAsync(browser);
            var pad = (await user.CreatePadAsync($"Pad of person {i}")).IdInUrl;
            var note = (await user.CreateNoteAsync($"Note of person {i}", "Read under load", pad)).IdInUrl;
            var form = await browser.GetAsync("/notes/create/");
            var http = new HttpClient(new HttpClientHandler { CookieContainer = browser.Cookies, AllowAutoRedirect = false })
            {
                BaseAddress = site,
                Timeout = ClientTimeout,
            };
            http.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            people.Add(new Person(i, http, form.Value("__RequestVerificationToken")!,
                [new("/", UriKind.Relative), new("/?order=name", UriKind.Relative), new($"/pads/{pad}/", UriKind.Relative), new($"/notes/{note}/", UriKind.Relative)]));
        }

        var load = new SiteLoad(people, writeShare, tag);
        load._clock.Start();
        load._running = [.. people.Select(load.RunAsync)];
        return load;
    }

    public async Task<LoadResult> StopAsync()
    {
        await _stop.CancelAsync();
        var outcomes = (await Task.WhenAll(_running)).SelectMany(o => o).OrderBy(o => o.At).ToList();
        return new LoadResult(outcomes, _tag);
    }

    public void Dispose()
    {
        _stop.Dispose();
        foreach (var person in _people)
        {
            person.Http.Dispose();
        }
    }

    private async Task<List<Outcome>> RunAsync(Person person)
    {
        var outcomes = new List<Outcome>();
        var random = new Random(person.Number);
        for (var sequence = 0; !_stop.IsCancellationRequested; sequence++)
        {
            var write = random.NextDouble() < _writeShare;
            var name = $"{_tag}-{person.Number}-{sequence}";
            var at = _clock.Elapsed;
            var took = Stopwatch.StartNew();
            try
            {
                using var response = write
                    ? await person.Http.PostAsync(new Uri("/notes/create/", UriKind.Relative), new FormUrlEncodedContent(
                        [new("Name", name), new("Text", "Written under load"), new("PadId", ""), new("__RequestVerificationToken", person.Token)]))
                    : await person.Http.GetAsync(person.Pages[random.Next(person.Pages.Count)]);
                await response.Content.LoadIntoBufferAsync();
                var acknowledged = write && response.StatusCode == HttpStatusCode.Found &&
                    NoteUrl().IsMatch(response.Headers.Location?.OriginalString ?? "");
                outcomes.Add(new Outcome(at, took.Elapsed, write, name, (int)response.StatusCode, acknowledged, null));
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                outcomes.Add(new Outcome(at, took.Elapsed, write, name, 0, false, exception.GetType().Name));
            }
        }

        return outcomes;
    }

    [GeneratedRegex(@"^/notes/\d+/$")]
    private static partial Regex NoteUrl();

    private sealed record Person(int Number, HttpClient Http, string Token, IReadOnlyList<Uri> Pages);
}

/// <summary>One request: when it started, how long it took, what came back (0: no answer at all).</summary>
public sealed record Outcome(TimeSpan At, TimeSpan Took, bool Write, string NoteName, int Status, bool Acknowledged, string? Error)
{
    public bool Succeeded => Write ? Acknowledged : Status == 200;

    /// <summary>The site's 503 page (or its 429 page): a clear "not now", nothing half done.</summary>
    public bool CleanlyRefused => Status is 503 or 429;
}

public sealed class LoadResult(IReadOnlyList<Outcome> outcomes, string tag)
{
    public IReadOnlyList<Outcome> Outcomes { get; } = outcomes;

    public int Requests => Outcomes.Count;

    public int Succeeded => Outcomes.Count(o => o.Succeeded);

    public int CleanlyRefused => Outcomes.Count(o => !o.Succeeded && o.CleanlyRefused);

    /// <summary>Neither a success nor a clean refusal: a 500, a hang, a dropped connection.</summary>
    public IReadOnlyList<Outcome> Broken => [.. Outcomes.Where(o => !o.Succeeded && !o.CleanlyRefused)];

    public double FailedShare => Requests == 0 ? 1 : (double)(Requests - Succeeded) / Requests;

    public TimeSpan Slowest => Outcomes.Count == 0 ? TimeSpan.Zero : Outcomes.Max(o => o.Took);

    public TimeSpan Percentile(double p) => Outcomes.Count == 0
        ? TimeSpan.Zero
        : Outcomes.Select(o => o.Took).Order().ElementAt((int)Math.Ceiling(p * Outcomes.Count) - 1);

    /// <summary>How many times each note written under this load is in PostgreSQL.</summary>
    public async Task<WriteCheck> CheckWritesAsync(string connectionString)
    {
        var stored = new Dictionary<string, long>();
        // Unpooled: a pooled connection may predate a database restart.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "Name", count(*) FROM "Notes" WHERE "Name" LIKE @tag GROUP BY "Name" """, connection);
        query.Parameters.AddWithValue("tag", tag + "-%");
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = reader.GetInt64(1);
        }

        var acknowledged = Outcomes.Where(o => o.Acknowledged).Select(o => o.NoteName).ToList();
        return new WriteCheck(
            Acknowledged: acknowledged.Count,
            Lost: acknowledged.Count(name => !stored.ContainsKey(name)),
            Duplicated: stored.Count(s => s.Value > 1),
            UnacknowledgedButStored: stored.Keys.Except(acknowledged).Count());
    }

    /// <summary>The figures of the requests that started in [<paramref name="from"/>, <paramref name="to"/>): for a table by minute.</summary>
    public LoadResult Between(TimeSpan from, TimeSpan to) => new([.. Outcomes.Where(o => o.At >= from && o.At < to)], tag);

    public string Describe()
    {
        var broken = Broken.Count == 0 ? "" : "; broken: " + string.Join(", ", Broken
            .GroupBy(b => b.Error ?? b.Status.ToString(CultureInfo.InvariantCulture)).Select(g => $"{g.Key}×{g.Count()}"));
        return FormattableString.Invariant(
            $"{Requests} requests ({Outcomes.Count(o => o.Write)} writes): {Succeeded} succeeded, {CleanlyRefused} refused cleanly (503/429), {Broken.Count} broken; failed {FailedShare:P2}; p50 {Percentile(0.5).TotalMilliseconds:F0} ms, p99 {Percentile(0.99).TotalMilliseconds:F0} ms, slowest {Slowest.TotalMilliseconds:F0} ms") + broken;
    }
}

public sealed record WriteCheck(int Acknowledged, int Lost, int Duplicated, int UnacknowledgedButStored)
{
    public override string ToString() =>
        $"{Acknowledged} notes acknowledged, {Lost} lost, {Duplicated} stored twice, {UnacknowledgedButStored} stored without an acknowledgement";
}
