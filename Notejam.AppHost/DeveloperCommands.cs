using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Notejam.AppHost;

/// <summary>
/// What a developer does in the dashboard besides watching: buttons on the resources (Aspire's resource commands) to
/// seed a demo account through the api, as a person would make one, and to empty the database; and links named for
/// people. Run mode only: a deployment has none of this.
/// </summary>
internal static class DeveloperCommands
{
    public const string SeedDemo = "seed-demo";
    public const string ResetDatabase = "reset-database";

    // Kept by a reset: what the migrations made and the api's key ring (the web's is in its own database), so cookies and
    // tokens stay readable; the sessions they name are gone with the accounts, so everyone signs in again.
    private static readonly string[] KeptTables = ["__EFMigrationsHistory", "DataProtectionKeys"];

    private static readonly (string Pad, string[] Notes)[] DemoPads =
    [
        ("Groceries", ["Milk, eggs, bread", "Birthday cake for Sam"]),
        ("Work", ["Standup notes", "Ideas for the next release", "Questions for the review"]),
        ("Travel", ["Packing list", "Train times"]),
    ];

    /// <summary>"Seed a demo account" on the web: a new account with three pads and their notes, made through the api.</summary>
    public static IResourceBuilder<T> WithSeedDemoCommand<T, TApi>(this IResourceBuilder<T> web, IResourceBuilder<TApi> api)
        where T : IResourceWithEndpoints
        where TApi : IResourceWithEndpoints
    {
        if (!web.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return web;
        }

        var apiEndpoint = api.GetEndpoint("http");
        var webEndpoint = web.GetEndpoint("http");
        return web.WithCommand(SeedDemo, "Seed a demo account", async context =>
        {
            var email = $"demo-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}@notejam.test";
            var password = $"demo-{RandomNumberGenerator.GetHexString(12, lowercase: true)}";
            using var http = new HttpClient { BaseAddress = new Uri(apiEndpoint.Url) };
            try
            {
                var notes = await SeedAsync(http, email, password, context.CancellationToken);
                return CommandResults.Success(
                    $"Sign in at {webEndpoint.Url}/signin/ as {email} with the password {password} ({DemoPads.Length} pads, {notes} notes).");
            }
            catch (HttpRequestException exception)
            {
                return CommandResults.Failure($"The api refused the demo account: {exception.Message}");
            }
        }, new CommandOptions
        {
            Description = "Makes a new account with pads and notes through the api, and shows how to sign in.",
            IconName = "PersonAdd",
            UpdateState = context => context.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
    }

    /// <summary>"Reset the database" on the database: every account, pad and note gone; the schema and key rings kept.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> WithResetCommand(this IResourceBuilder<IResourceWithConnectionString> database)
    {
        if (!database.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return database;
        }

        return database.WithCommand(ResetDatabase, "Reset the database", async context =>
        {
            try
            {
                var emptied = await ResetAsync(
                    await database.Resource.GetConnectionStringAsync(context.CancellationToken), context.CancellationToken);
                return CommandResults.Success($"Emptied {emptied} tables: every account, pad and note is gone.");
            }
            catch (NpgsqlException exception)
            {
                return CommandResults.Failure($"PostgreSQL refused: {exception.Message}");
            }
        }, new CommandOptions
        {
            Description = "Deletes every account, pad and note; keeps the schema and the key rings.",
            ConfirmationMessage = "Delete every account, pad and note in this database?",
            IconName = "DatabaseWarning",
            IsHighlighted = false,
        });
    }

    private static async Task<int> SeedAsync(HttpClient http, string email, string password, CancellationToken ct)
    {
        (await http.PostAsJsonAsync("/users/register", new { email, password, repeatPassword = password }, ct)).EnsureSuccessStatusCode();
        var signin = await http.PostAsJsonAsync("/users/signin", new { email, password }, ct);
        signin.EnsureSuccessStatusCode();
        using var tokens = JsonDocument.Parse(await signin.Content.ReadAsStringAsync(ct));
        http.DefaultRequestHeaders.Authorization = new("Bearer", tokens.RootElement.GetProperty("accessToken").GetString());
        var notes = 0;
        foreach (var (name, texts) in DemoPads)
        {
            var created = await http.PostAsJsonAsync("/pads", new { name }, ct);
            created.EnsureSuccessStatusCode();
            using var pad = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
            var padId = pad.RootElement.GetProperty("id").GetInt32();
            foreach (var text in texts)
            {
                (await http.PostAsJsonAsync("/notes", new { name = text, text = $"{text}.\n\n- made by the dashboard's *Seed a demo account*", padId }, ct))
                    .EnsureSuccessStatusCode();
                notes++;
            }
        }

        return notes;
    }

    private static async Task<int> ResetAsync(string? connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY($1))", connection))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = KeptTables });
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        if (tables.Count > 0)
        {
            // The names come from pg_tables, quoted by PostgreSQL itself.
            await using var truncate = new NpgsqlCommand($"TRUNCATE {string.Join(", ", tables)} RESTART IDENTITY CASCADE", connection);
            await truncate.ExecuteNonQueryAsync(ct);
        }

        return tables.Count;
    }
}
