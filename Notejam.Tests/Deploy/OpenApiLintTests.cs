using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Deploy;

/// <summary>
/// The api's OpenAPI document, as the running api serves it, passes Redocly's recommended lint with no error and no
/// warning (the repository's redocly.yaml turns off one rule, and says why): what a client generator reads is complete.
/// In the Deploy layer because it runs an external tool (Redocly CLI, through npx from the npm registry).
/// </summary>
[Trait(TestLayers.Name, TestLayers.Deploy)]
[Collection(ApiTests.Name)]
public sealed class OpenApiLintTests(ApiFactory api, ITestOutputHelper output)
{
    /// <summary>The README's lint command names the same version.</summary>
    public const string RedoclyCli = "@redocly/cli@2.77.0";

    [NpxFact]
    public async Task The_openapi_document_passes_Redocly_recommended_lint_without_a_warning()
    {
        using var anonymous = api.CreateClient();
        var folder = Directory.CreateTempSubdirectory("notejam-openapi-");
        try
        {
            var document = Path.Combine(folder.FullName, "openapi.json");
            await File.WriteAllTextAsync(document, await anonymous.GetStringAsync("/openapi/v1.json"));

            var (exit, stdout, stderr) = await NpxAsync(
                RedoclyCli, "lint", document, "--config", Path.Combine(Repository.Root, "redocly.yaml"), "--format=json");

            Assert.True(stdout.TrimStart().StartsWith('{'), $"Redocly did not report (exit {exit}):\n{stderr}\n{stdout}");
            using var report = JsonDocument.Parse(stdout);
            var problems = report.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at " +
                    $"{p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
                .ToList();
            problems.ForEach(output.WriteLine);
            var totals = report.RootElement.GetProperty("totals");
            output.WriteLine($"Redocly {report.RootElement.GetProperty("version").GetString()}: {totals}");
            Assert.Empty(problems);
            Assert.Equal(0, totals.GetProperty("errors").GetInt32());
            Assert.Equal(0, totals.GetProperty("warnings").GetInt32());
            Assert.Equal(0, exit);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> NpxAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(NpxFactAttribute.Npx!, ["--yes", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["NO_UPDATE_NOTIFIER"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // The first run on a machine downloads the CLI from the npm registry.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"npx {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fact that needs npx (Node.js) on PATH; skipped, saying so, where there is none.</summary>
public sealed class NpxFactAttribute : FactAttribute
{
    public static readonly string? Npx = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, OperatingSystem.IsWindows() ? "npx.cmd" : "npx"))
        .FirstOrDefault(File.Exists);

    public NpxFactAttribute()
    {
        if (Npx is null)
        {
            Skip = "npx is not on PATH: install Node.js (e.g. sudo apt-get install -y nodejs npm) to lint the OpenAPI document with Redocly.";
        }
    }
}
