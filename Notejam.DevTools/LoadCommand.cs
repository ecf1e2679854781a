using System.CommandLine;
using System.Globalization;
using Notejam.DevTools.Load;

namespace Notejam.DevTools;

/// <summary>
/// <c>load</c>: a <see cref="SiteLoad"/> of N people for M minutes. It prints <c>ready</c> once the people are signed in,
/// <c>minute K</c> as each minute ends (for the caller to read memory then), and at the end a line of figures per
/// minute (<c>figures minute=K requests= rps= p50_ms= p99_ms= failed= refused= broken= writes= writes_acknowledged=</c>:
/// failed counts every request that did not get what it asked for, refused those of them answered with the site's
/// 503 or 429 page, broken the rest: a 500, a hang, a dropped connection) and one of
/// the writes as found in PostgreSQL (<c>writes acknowledged= lost= duplicated= stored_unacknowledged=</c>).
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var site = SiteOption.Create();
        var database = new Option<string>("--database") { Description = "The notes database (to count the stored writes).", Required = true };
        var clients = new Option<int>("--clients") { Description = "People using the site at once.", DefaultValueFactory = _ => 64 };
        var minutes = new Option<int>("--minutes") { DefaultValueFactory = _ => 5 };
        var writeShare = new Option<double>("--write-share") { Description = "The share of requests that write a note.", DefaultValueFactory = _ => 0.1 };
        var command = new Command("load", "Steady mixed load on the site, then what it got and what PostgreSQL kept.")
        {
            site, database, clients, minutes, writeShare,
        };
        command.SetAction(async (result, ct) =>
        {
            using var load = await SiteLoad.StartAsync(result.GetValue(site)!, result.GetValue(clients), result.GetValue(writeShare));
            Console.WriteLine("ready");
            var length = result.GetValue(minutes);
            for (var minute = 1; minute <= length; minute++)
            {
                var left = TimeSpan.FromMinutes(minute) - load.Elapsed;
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left, ct);
                }

                Console.WriteLine($"minute {minute}");
            }

            var outcome = await load.StopAsync();
            for (var minute = 1; minute <= length; minute++)
            {
                var part = outcome.Between(TimeSpan.FromMinutes(minute - 1), TimeSpan.FromMinutes(minute));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"figures minute={minute} requests={part.Requests} rps={part.Requests / 60.0:F0} p50_ms={part.Percentile(0.5).TotalMilliseconds:F1} p99_ms={part.Percentile(0.99).TotalMilliseconds:F1} failed={part.Requests - part.Succeeded} refused={part.CleanlyRefused} broken={part.Broken.Count} writes={part.Outcomes.Count(o => o.Write)} writes_acknowledged={part.Outcomes.Count(o => o.Acknowledged)}"));
            }

            var writes = await outcome.CheckWritesAsync(result.GetValue(database)!);
            Console.WriteLine($"writes acknowledged={writes.Acknowledged} lost={writes.Lost} duplicated={writes.Duplicated} stored_unacknowledged={writes.UnacknowledgedButStored}");
            return 0;
        });
        return command;
    }
}
