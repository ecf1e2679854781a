using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Notejam.DevTools;

/// <summary>What the tools and the tests ask of this machine, done one way: run another program, find a free port.</summary>
public static class ThisMachine
{
    /// <summary>
    /// Runs <paramref name="file"/> and reads what it writes; its exit code, standard output and standard error. After
    /// <paramref name="within"/> it is killed, and the exit code is -1 with the error saying so.
    /// </summary>
    public static async Task<(int Exit, string Output, string Errors)> RunAsync(string file, IEnumerable<string> args, TimeSpan within, CancellationToken ct = default)
    {
        var arguments = args.ToArray();
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"{file} {string.Join(' ', arguments)} took more than {within.TotalSeconds:F0} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The standard output of a run that must succeed; otherwise an exception with what it said.</summary>
    public static async Task<string> OutputOfAsync(string file, IEnumerable<string> args, TimeSpan within, CancellationToken ct = default)
    {
        var arguments = args.ToArray();
        var (exit, output, errors) = await RunAsync(file, arguments, within, ct);
        return exit == 0
            ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {exit}: {output}{errors}");
    }

    /// <summary>A port of 127.0.0.1 that nothing listens on now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
