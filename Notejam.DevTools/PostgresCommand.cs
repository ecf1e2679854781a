using System.CommandLine;
using System.Runtime.InteropServices;
using Notejam.DevTools.Postgres;

namespace Notejam.DevTools;

/// <summary>
/// <c>postgres</c>: a <see cref="ThrowawayPostgres"/> until SIGTERM or SIGINT (which a shell script's background job
/// ignores). Its first line of output, once it accepts connections: <c>ready port=N password=P pid=SERVER_PID</c> (the
/// postmaster, whose children are the backends).
/// </summary>
internal static class PostgresCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (default: a free one)." };
        var settings = new Option<string[]>("--setting") { Description = "A server setting, name=value (repeatable)." };
        var command = new Command("postgres", "Runs a throwaway cluster of the machine's PostgreSQL until interrupted, then deletes it.")
        {
            port, settings,
        };
        command.SetAction(async (result, ct) =>
        {
            if (!PostgresServer.IsSupported)
            {
                await Console.Error.WriteLineAsync("Runs on Linux and macOS.");
                return 1;
            }

            var stopped = new TaskCompletionSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var server = await ThrowawayPostgres.StartAsync(result.GetValue(port), result.GetValue(settings), ct);
            Console.WriteLine($"ready port={server.Port} password={server.Password} pid={server.ServerProcessId}");
            await stopped.Task;
            return 0;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopped.TrySetResult();
            }
        });
        return command;
    }
}
