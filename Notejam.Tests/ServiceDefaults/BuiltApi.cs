using System.Collections.Concurrent;
using System.Diagnostics;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// The built api run as its container runs it: its own process, ASPNETCORE_ENVIRONMENT=Production, its
/// folder as content root (so appsettings.Production.json applies), settings from environment variables.
/// Every line it writes is kept; disposing kills it.
/// </summary>
internal sealed class BuiltApi : IDisposable
{
#if DEBUG
    internal const string Configuration = "Debug";
#else
    internal const string Configuration = "Release";
#endif

    private readonly Process _process;

    private BuiltApi(Process process) => _process = process;

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>
    /// The built api's process as its image runs it (its folder, Production, no inherited telemetry, mail or log
    /// settings, the connection string in the environment), with <paramref name="args"/> (`migrate`, or none).
    /// </summary>
    public static ProcessStartInfo StartInfo(string connectionString, params string[] args)
    {
        var folder = Path.Combine(ManifestTests.RepositoryRoot(), "Notejam.Api", "bin", Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "Notejam.Api.dll"), .. args])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var inherited in new[] { "DOTNET_ENVIRONMENT", "OTEL_EXPORTER_OTLP_ENDPOINT", "Smtp__Host", "Logging__Console__FormatterName" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__notejam"] = connectionString;
        return start;
    }

    public static BuiltApi Start(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var start = StartInfo(connectionString);
        start.Environment["Notejam__WebUrl"] = ApiFactory.WebUrl;
        start.Environment["DataProtection__KeyEncryptionKey"] = ApiFactory.KeyEncryptionKey;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var api = new BuiltApi(new Process { StartInfo = start });
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                api.Lines.Enqueue(e.Data);
            }
        };
        api._process.OutputDataReceived += collect;
        api._process.ErrorDataReceived += collect;
        api._process.Start();
        api._process.BeginOutputReadLine();
        api._process.BeginErrorReadLine();
        return api;
    }

    /// <summary>The first line that matches, waiting up to 30 seconds for it.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match) =>
        Eventually.ValueAsync(() => Task.FromResult(Lines.FirstOrDefault(match)), TimeSpan.FromSeconds(30),
            () => $"no such log line. The api wrote:\n{string.Join('\n', Lines)}");

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
