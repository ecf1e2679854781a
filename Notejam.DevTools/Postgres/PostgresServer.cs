using System.Diagnostics;
using System.Runtime.Versioning;

namespace Notejam.DevTools.Postgres;

/// <summary>
/// The machine's own PostgreSQL server programs (Debian's <c>postgresql</c> package, or any on PATH): finding them,
/// making a cluster and the command that runs it. The one way Notejam starts a PostgreSQL of its own: the AppHost's
/// local mode, the tests' throwaway cluster and the benchmarks' (<c>Notejam.DevTools postgres</c>) all come here.
/// </summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("macos")]
public static class PostgresServer
{
    [SupportedOSPlatformGuard("linux")]
    [SupportedOSPlatformGuard("macos")]
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    public const string NotInstalled = "The PostgreSQL server is not installed (Debian/Ubuntu: sudo apt-get install -y postgresql).";

    /// <summary>PostgreSQL refuses to run as root; as root it runs as the 'postgres' system user.</summary>
    public static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// <paramref name="configured"/> when it holds the server, else the newest server under /usr/lib/postgresql (Debian,
    /// Ubuntu), else the one on PATH; null when there is none.
    /// </summary>
    public static string? FindBinDirectory(string? configured = null)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return HasServer(configured) ? configured : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => HasServer(d.Dir))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServer);
    }

    private static bool HasServer(string dir) =>
        File.Exists(Path.Combine(dir, "postgres")) && File.Exists(Path.Combine(dir, "initdb"));

    /// <summary>
    /// Creates a cluster in <paramref name="dataDirectory"/> (inside <paramref name="root"/>, which must be reachable by the
    /// postgres user when run as root) whose superuser 'postgres' has <paramref name="password"/>.
    /// </summary>
    public static async Task InitDbAsync(string bin, string root, string dataDirectory, string password, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var passwordFile = Path.Combine(root, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, password, ct);
        try
        {
            if (RunsAsRoot)
            {
                File.SetUnixFileMode(root, File.GetUnixFileMode(root) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
                await RunAsync("chown", ["postgres:postgres", dataDirectory, passwordFile], ct);
            }

            var (command, args) = AsPostgresUser(Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                 "--encoding=UTF8", "--locale=C.UTF-8"]);
            await RunAsync(command, args, ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>The command that runs the server on 127.0.0.1 only, at the port in PGPORT, with <paramref name="settings"/> (-c name=value).</summary>
    public static (string Command, string[] Args) ServerCommand(string bin, string dataDirectory, params IEnumerable<string> settings) =>
        AsPostgresUser(Path.Combine(bin, "postgres"),
            ["-D", dataDirectory, "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
             .. settings.SelectMany(s => new[] { "-c", s })]);

    private static (string Command, string[] Args) AsPostgresUser(string program, string[] args) => RunsAsRoot
        ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args])
        : (program, args);

    private static async Task RunAsync(string command, string[] args, CancellationToken ct)
    {
        var (exit, output, errors) = await ThisMachine.RunAsync(command, args, Timeout.InfiniteTimeSpan, ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({exit}): {errors}{output}");
        }
    }
}
